import { randomUUID } from "node:crypto";
import { SignJWT, UnsecuredJWT, type JWTPayload } from "jose";

/** The embedding secret the suites configure (`embeds.<id>.secret`, at least 32 characters). */
export const TEST_EMBED_SECRET = "shop-embed-secret-0123456789-abcdefghij";

export interface MintOptions {
  /** Parlor's public origin (`aud`). */
  audience: string;
  /** The embedding id (`iss`); default `shop`. */
  issuer?: string;
  /** Default `TEST_EMBED_SECRET`. */
  secret?: string;
  /** Seconds since the epoch; default now. Pass the test server's clock when the test moves it. */
  iat?: number;
  /** Seconds after `iat`; default 120. */
  lifetime?: number;
  /** Claims to add, or to remove with `undefined`. */
  claims?: Record<string, unknown>;
  /** `none`: an unsigned token. */
  alg?: "HS256" | "none";
}

/**
 * A host token as an embedding site's backend mints it (server README, "Embedding"): HS256
 * with the embedding's secret, `iss` the embedding id, `aud` Parlor's origin, a fresh `jti`.
 * The options make the bad ones too (another audience or secret, expired, too long-lived,
 * unsigned).
 */
export async function mintHostToken(sub: string, options: MintOptions): Promise<string> {
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  const payload: JWTPayload = {
    iss: options.issuer ?? "shop",
    aud: options.audience,
    sub,
    iat,
    exp: iat + (options.lifetime ?? 120),
    jti: randomUUID(),
  };
  for (const [name, value] of Object.entries(options.claims ?? {})) {
    if (value === undefined) delete payload[name];
    else payload[name] = value;
  }
  if (options.alg === "none") return new UnsecuredJWT(payload).encode();
  return new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(options.secret ?? TEST_EMBED_SECRET));
}
