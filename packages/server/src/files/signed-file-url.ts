import type { KeyRing } from "../crypto/key-ring.js";

/**
 * Signed download URLs for contexts without the session cookie (the widget, e-mails):
 * an HMAC of the file id and the expiry, so a signature works for one file until one time.
 */
export class SignedFileUrls {
  constructor(
    private readonly keys: KeyRing,
    private readonly ttlSeconds: number,
    private readonly clock: () => number,
    /** The app's base path, in front of every URL: they are paths as the browser sees them. */
    private readonly basePath = "",
  ) {}

  /** `<basePath>/api/files/<id>?exp=…&sig=…`, valid for the configured lifetime. */
  sign(fileId: string): { url: string; expiresAt: number } {
    const exp = Math.floor(this.clock() / 1000) + this.ttlSeconds;
    const sig = this.keys.sign(message(fileId, exp));
    return { url: `${this.basePath}/api/files/${encodeURIComponent(fileId)}?exp=${exp}&sig=${sig}`, expiresAt: exp * 1000 };
  }

  /** A signature for this file, not expired, under any key in the ring. */
  verify(fileId: string, exp: number, sig: string): boolean {
    if (!Number.isSafeInteger(exp) || exp * 1000 <= this.clock()) return false;
    return this.keys.verify(message(fileId, exp), sig);
  }
}

function message(fileId: string, exp: number): string {
  return `file:${fileId}:${exp}`;
}
