import type { SignedFileUrl } from "@parlor/protocol";
import type { AuthStore } from "./auth-store.js";
import { signedFileUrl } from "./narrow.js";

/** A link is handed out again only while it has at least this long to live (an `<img>` may load late). */
const REUSE_MARGIN_MS = 60_000;

/**
 * Signed download links (`GET /api/files/:id/signed-url`), for where no cookie rides along:
 * bearer mode, where an `<img>` cannot send the `Authorization` header. Links are reused
 * until shortly before they expire, and concurrent asks for one file share one request, so a
 * thread full of images costs one request per image every few minutes.
 */
export class SignedFileUrls {
  private readonly links = new Map<string, Promise<SignedFileUrl>>();

  constructor(private readonly auth: AuthStore) {}

  /** An absolute URL, or a path on the page's origin when `baseUrl` is a path, with its expiry. */
  get(fileId: string): Promise<SignedFileUrl> {
    const cached = this.links.get(fileId);
    if (cached !== undefined) return cached.then((link) => (Date.parse(link.expiresAt) - Date.now() > REUSE_MARGIN_MS ? link : this.fetch(fileId)));
    return this.fetch(fileId);
  }

  private fetch(fileId: string): Promise<SignedFileUrl> {
    const link = this.auth.api
      .request("GET", `/api/files/${encodeURIComponent(fileId)}/signed-url`)
      .then(signedFileUrl)
      // The server answers a path on its own origin, its base path included (`/chat/api/files/…`):
      // only the origin of `baseUrl` goes in front, never its path a second time.
      .then(({ url, expiresAt }) => ({ url: originOf(this.auth.api.baseUrl) + url, expiresAt }));
    this.links.set(fileId, link);
    link.catch(() => {
      if (this.links.get(fileId) === link) this.links.delete(fileId);
    });
    return link;
  }
}

/** `https://chat.example.com` for `https://chat.example.com/chat`; `""` for a path or `""`. */
function originOf(baseUrl: string): string {
  return /^https?:\/\//i.test(baseUrl) ? new URL(baseUrl).origin : "";
}
