import { EncryptJWT, jwtDecrypt, type JWTPayload } from "jose";
import { z } from "zod";
import type { KeyRing } from "../../crypto/key-ring.js";
import { FLOW_TTL_SECONDS } from "../cookies.js";

/** One login attempt's secrets, kept by the browser (encrypted) between start and callback. */
export interface OAuthFlow {
  /** Random id of this flow: a cookie is accepted at most once. */
  id: string;
  /** The provider id the flow was started for. */
  provider: string;
  state: string;
  codeVerifier: string;
  /** OpenID Connect only. */
  nonce?: string;
  /** Already checked by `safeReturnPath`. */
  returnTo: string;
}

const payloadSchema = z.object({
  jti: z.string().min(16).max(64),
  pid: z.string().min(1).max(32),
  st: z.string().min(16).max(128),
  cv: z.string().min(43).max(128),
  nn: z.string().min(16).max(128).optional(),
  rt: z.string().min(1).max(2048),
  exp: z.number().int(),
});

/** Flow cookies are small; anything much longer is not ours. */
const MAX_COOKIE_LENGTH = 4096;

/**
 * Seals an `OAuthFlow` into the flow cookie: a JWE (`dir`, A256GCM) under a key derived for
 * this purpose only, so the browser can neither read the PKCE verifier and nonce nor change
 * any field, and expiring after ten minutes by its own `exp` (checked with the server's
 * clock), whatever the cookie's Max-Age.
 */
export class FlowCookieCodec {
  constructor(
    private readonly keys: KeyRing,
    private readonly ttlSeconds = FLOW_TTL_SECONDS,
  ) {}

  async seal(flow: OAuthFlow, nowMs: number): Promise<string> {
    const now = Math.floor(nowMs / 1000);
    return new EncryptJWT({
      pid: flow.provider,
      st: flow.state,
      cv: flow.codeVerifier,
      ...(flow.nonce === undefined ? {} : { nn: flow.nonce }),
      rt: flow.returnTo,
    })
      .setProtectedHeader({ alg: "dir", enc: "A256GCM", kid: this.keys.current.kid })
      .setJti(flow.id)
      .setIssuedAt(now)
      .setExpirationTime(now + this.ttlSeconds)
      .encrypt(this.keys.current.key);
  }

  /** The flow, or `null` for anything expired, tampered with, or not sealed by one of our keys. */
  async open(token: string, nowMs: number): Promise<OAuthFlow | null> {
    if (token.length > MAX_COOKIE_LENGTH) return null;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtDecrypt(token, (header) => this.keys.keyFor(header.kid), {
        keyManagementAlgorithms: ["dir"],
        contentEncryptionAlgorithms: ["A256GCM"],
        currentDate: new Date(nowMs),
        requiredClaims: ["jti", "exp"],
        clockTolerance: 0,
      }));
    } catch {
      return null;
    }
    const parsed = payloadSchema.safeParse(payload);
    if (!parsed.success) return null;
    const { jti, pid, st, cv, nn, rt } = parsed.data;
    return { id: jti, provider: pid, state: st, codeVerifier: cv, ...(nn === undefined ? {} : { nonce: nn }), returnTo: rt };
  }
}
