import { createHmac, timingSafeEqual } from "node:crypto";
import type { KeyRing } from "../auth/secret-keys.js";

/**
 * Signed download URLs for contexts without the session cookie (the widget, e-mails):
 * an HMAC of the file id and the expiry, so a signature works for one file until one time.
 */
export class SignedFileUrls {
  constructor(
    private readonly keys: KeyRing,
    private readonly ttlSeconds: number,
    private readonly clock: () => number,
  ) {}

  /** `/api/files/<id>?exp=…&sig=…`, valid for the configured lifetime. */
  sign(fileId: string): { url: string; expiresAt: number } {
    const exp = Math.floor(this.clock() / 1000) + this.ttlSeconds;
    const sig = signature(this.keys.current.bytes, fileId, exp);
    return { url: `/api/files/${encodeURIComponent(fileId)}?exp=${exp}&sig=${sig}`, expiresAt: exp * 1000 };
  }

  /** Constant-time check of a signature for this file, not expired, under any key in the ring. */
  verify(fileId: string, exp: number, sig: string): boolean {
    if (!Number.isSafeInteger(exp) || exp * 1000 <= this.clock() || sig.length !== 43) return false;
    const given = Buffer.from(sig);
    let ok = false;
    for (const key of this.keys.all) ok = timingSafeEqual(Buffer.from(signature(key.bytes, fileId, exp)), given) || ok;
    return ok;
  }
}

function signature(key: Buffer, fileId: string, exp: number): string {
  return createHmac("sha256", key).update(`file:${fileId}:${exp}`).digest("base64url");
}
