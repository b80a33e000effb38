import { errors, jwtVerify, SignJWT, type JWTPayload } from "jose";
import { z } from "zod";
import type { KeyRing } from "../crypto/key-ring.js";

/** Cookies are capped near 4 KB by browsers; anything longer is not ours. */
export const MAX_TOKEN_LENGTH = 4096;

/**
 * The claims of a session JWT: ids and small display fields only. Everything else stays in
 * the database, which keeps the cookie far under 4 KB.
 */
const claimsSchema = z.object({
  sub: z.string().min(1).max(64),
  sid: z.string().min(20).max(64),
  iat: z.number().int(),
  exp: z.number().int(),
  /** The user's identifier. */
  idn: z.string().min(1).max(255),
  /** Display name, when the app gave one. */
  name: z.string().max(255).optional(),
  /** Client kind of the session. */
  cl: z.enum(["web", "widget", "api"]),
  /** Absolute end of the session, seconds since the epoch. */
  sxp: z.number().int(),
  /** The embedding a widget session was opened through. */
  emb: z.string().min(1).max(64).optional(),
});

export type SessionClaims = z.infer<typeof claimsSchema>;

export interface VerifiedToken {
  claims: SessionClaims;
  /** The signature is good but `exp` has passed: usable only to renew from the session row. */
  expired: boolean;
}

/**
 * Signs and verifies session JWTs (HS256, `kid` header) with `jose`. Every token names this
 * deployment in `aud`, and only tokens for it are accepted: a second line of defence, after
 * the key itself, against apps that share a secret (see `deriveKeyRing`).
 */
export class SessionTokenCodec {
  constructor(
    private readonly keys: KeyRing,
    private readonly audience: string,
  ) {}

  async sign(claims: Omit<SessionClaims, "iat">, nowMs: number): Promise<string> {
    const { sub, exp, ...rest } = claims;
    return new SignJWT(rest)
      .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: this.keys.current.kid })
      .setSubject(sub)
      .setAudience(this.audience)
      .setIssuedAt(Math.floor(nowMs / 1000))
      .setExpirationTime(exp)
      .sign(this.keys.current.key);
  }

  /**
   * Verifies signature, algorithm and key id. Returns `null` for anything not signed by one
   * of our keys (wrong `alg`, unknown `kid`, tampering, garbage); an expired but genuine
   * token comes back flagged `expired`.
   */
  async verify(token: string, nowMs: number): Promise<VerifiedToken | null> {
    if (token.length > MAX_TOKEN_LENGTH) return null;
    let payload: JWTPayload;
    let expired = false;
    try {
      ({ payload } = await jwtVerify(token, (header) => this.keys.keyFor(header.kid), {
        algorithms: ["HS256"],
        typ: "JWT",
        currentDate: new Date(nowMs),
        audience: this.audience,
        requiredClaims: ["sub", "sid", "iat", "exp", "aud"],
      }));
    } catch (error) {
      // jose checks the signature before the claims, so an expired token's payload is genuine.
      if (!(error instanceof errors.JWTExpired)) return null;
      payload = error.payload;
      expired = true;
    }
    const parsed = claimsSchema.safeParse(payload);
    return parsed.success ? { claims: parsed.data, expired } : null;
  }
}
