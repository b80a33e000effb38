/**
 * How a page shows a stored file, in either auth mode and on any origin the server allows:
 * spread it on the element, e.g. `<img src={url} crossOrigin={crossOrigin}>`.
 *
 * Why `crossOrigin`: the server sends `Cross-Origin-Resource-Policy: same-origin` with every
 * file, so a plain `<img>` on another origin is blocked. A CORS-mode load is not subject to
 * it, and the server answers CORS to the origins in its `allowedOrigins` only.
 */
export interface FileSource {
  url: string;
  /**
   * `"use-credentials"` in cookie mode (the session cookie rides along in CORS mode);
   * `"anonymous"` for a signed URL in bearer mode (the signature is the credential).
   */
  crossOrigin: "use-credentials" | "anonymous";
  /** When a signed URL stops working (ISO 8601); `null` for the cookie mode's plain URL. */
  expiresAt: string | null;
}
