import type { KeyRing } from "../crypto/key-ring.js";

/**
 * CSRF tokens are an HMAC of the session id: nothing to store, different per session, and
 * useless to anyone who cannot already read responses of the app's origin.
 */
export class CsrfTokens {
  constructor(private readonly keys: KeyRing) {}

  issue(sessionId: string): string {
    return this.keys.sign(message(sessionId));
  }

  /** Valid under any key in the ring, so a rotation keeps tokens valid. */
  verify(sessionId: string, token: unknown): boolean {
    return this.keys.verify(message(sessionId), token);
  }
}

function message(sessionId: string): string {
  return `csrf:${sessionId}`;
}
