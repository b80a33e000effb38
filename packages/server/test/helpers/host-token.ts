import { randomUUID } from "node:crypto";
import { SignJWT, UnsecuredJWT, type JWTPayload } from "jose";

export const EMBED_SECRET = "shop-embed-secret-0123456789-abcdefghij";
export const HOST_ORIGIN = "https://shop.example";

export interface MintOptions {
  /** Parlor's public origin (`aud`). */
  audience: string;
  issuer?: string;
  secret?: string;
  /** Seconds since the epoch; default now. */
  iat?: number;
  /** Seconds after `iat`; default 120. */
  lifetime?: number;
  /** Claims to add, or to remove with `undefined`. */
  claims?: Record<string, unknown>;
  /** `none`: an unsigned token. */
  alg?: "HS256" | "none";
}

/** A host token as an embedding site's backend mints it (server README, "Embedding"). */
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
  return new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(options.secret ?? EMBED_SECRET));
}
