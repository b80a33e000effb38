import contentDisposition from "content-disposition";
import type { FileRow } from "../data/file-store.js";
import type { ByteRange } from "./file-storage.js";

/**
 * Types a browser may show inline: raster images, audio, video, PDF and plain text. All
 * else (HTML, SVG, XML, scripts, unknown) is served as an `application/octet-stream`
 * attachment, so an uploaded file can never run script on the app's origin.
 */
const INLINE_TYPES = /^(image\/(png|jpeg|gif|webp|avif|bmp)|audio\/[\w.+-]+|video\/[\w.+-]+|application\/pdf|text\/plain)$/;

/** Sent with every file: no sniffing, no script, no embedding by other sites, no shared caches. */
const FILE_HEADERS = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; sandbox",
  // Blocks a plain (no-cors) `<img src>` from any other origin. A separate frontend on an
  // origin in `allowedOrigins` loads files in CORS mode instead (`crossorigin="use-credentials"`,
  // or `anonymous` for signed URLs), which CORP does not apply to: the CORS plugin answers
  // those origins, and only those, with `Access-Control-Allow-Origin` and `Vary: Origin`.
  // CORP cannot list origins, and `same-site` would let every sibling subdomain in.
  "cross-origin-resource-policy": "same-origin",
  // Revalidated every time (cheap: the ETag never changes), so access ends with the session.
  "cache-control": "private, no-cache",
} as const;

/**
 * A PDF may be framed by the app's own pages, and only by them: the web UI shows it inline in
 * an `<iframe>`. `frame-ancestors 'self'` and `X-Frame-Options: SAMEORIGIN` replace the
 * `DENY` every other answer carries; the document stays sandboxed (no script, no forms, its
 * own opaque origin). Every other type, inline or not, can never be framed.
 */
const FRAMEABLE_PDF_HEADERS = {
  "content-security-policy": "default-src 'none'; frame-ancestors 'self'; sandbox",
  "x-frame-options": "SAMEORIGIN",
} as const;

/** Whether a file of this (sniffed) type is shown by the browser rather than downloaded. */
export function isInlineType(mime: string): boolean {
  return INLINE_TYPES.test(mime);
}

/** A file's ETag: its id, since a stored file never changes. */
export function fileEtag(file: Pick<FileRow, "id">): string {
  return `"${file.id}"`;
}

/**
 * Every header of a file download, whether the answer is 200, 206 or 304 (the length and
 * range headers come with the body): the type (forced to `application/octet-stream` for
 * anything not on the inline list), the disposition with the sanitized name, the ETag, and
 * the fixed protections above (framing by this origin for PDFs only).
 */
export function downloadHeaders(file: Pick<FileRow, "id" | "name" | "mime">): Record<string, string> {
  const inline = isInlineType(file.mime);
  return {
    ...FILE_HEADERS,
    ...(file.mime === "application/pdf" ? FRAMEABLE_PDF_HEADERS : {}),
    "content-type": inline ? (file.mime === "text/plain" ? "text/plain; charset=utf-8" : file.mime) : "application/octet-stream",
    "content-disposition": contentDisposition(file.name, { type: inline ? "inline" : "attachment" }),
    etag: fileEtag(file),
    "accept-ranges": "bytes",
  };
}

/** The length of a whole-file answer (200). */
export function fullContentHeaders(size: number): Record<string, string> {
  return { "content-length": String(size) };
}

/** The range and length of a partial answer (206). */
export function partialContentHeaders(range: ByteRange, size: number): Record<string, string> {
  return { "content-range": `bytes ${range.start}-${range.end}/${size}`, "content-length": String(range.end - range.start + 1) };
}

/** What a 416 answer names: the file's size, so the client can ask again. */
export function unsatisfiableRangeHeaders(size: number): Record<string, string> {
  return { "content-range": `bytes */${size}` };
}
