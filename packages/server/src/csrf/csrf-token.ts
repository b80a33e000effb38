import { createHmac, timingSafeEqual } from "node:crypto";
import type { KeyRing } from "../auth/secret-keys.js";

/**
 * CSRF tokens are an HMAC of the session id: nothing to store, different per session, and
 * useless to anyone who cannot already read responses of the app's origin.
 */
export class CsrfTokens {
  constructor(private readonly keys: KeyRing) {}

  issue(sessionId: string): string {
    return hmac(this.keys.current.bytes, sessionId);
  }

  /** Constant-time check against every key in the ring, so rotation keeps tokens valid. */
  verify(sessionId: string, token: unknown): boolean {
    if (typeof token !== "string" || token.length !== 43) return false;
    const given = Buffer.from(token);
    let ok = false;
    for (const key of this.keys.all) {
      ok = timingSafeEqual(Buffer.from(hmac(key.bytes, sessionId)), given) || ok;
    }
    return ok;
  }
}

function hmac(key: Buffer, sessionId: string): string {
  return createHmac("sha256", key).update(`csrf:${sessionId}`).digest("base64url");
}
