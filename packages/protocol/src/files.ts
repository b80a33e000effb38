/**
 * The file shapes of the HTTP API (`/api/files`) and of chat messages. The server builds
 * them and the clients parse into them, so a renamed field fails to compile on both sides.
 */

/** A stored file as clients see it; `url` works as a plain `<img src>` thanks to the cookie. */
export interface FileInfo {
  id: string;
  name: string;
  /** Sniffed from the bytes at upload. */
  mime: string;
  size: number;
  url: string;
}

/**
 * `POST /api/files` (`multipart/form-data`) answers 201 with the stored file. The form has
 * the file in the field `file` and, optionally, `threadId` before it (or in the query).
 */
export type UploadResponse = FileInfo;

/** `GET /api/files/:id/signed-url`: a link that works without the cookie until `expiresAt`. */
export interface SignedFileUrl {
  url: string;
  /** ISO 8601. */
  expiresAt: string;
}
