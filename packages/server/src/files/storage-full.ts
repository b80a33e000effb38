import { ParlorError } from "../errors.js";

/**
 * Error codes meaning "no room left", from the places Parlor writes to:
 * - the file system (local file storage, the SQLite file): out of space, over a disk quota,
 *   or over the largest file allowed;
 * - SQLite itself (`SQLITE_FULL`), PostgreSQL (SQLSTATE `53100`, `disk_full`);
 * - S3-compatible services: MinIO answers `XMinioStorageFull` (HTTP 507).
 */
const FULL_CODES = new Set(["ENOSPC", "EDQUOT", "EFBIG", "SQLITE_FULL", "53100", "XMinioStorageFull"]);

/** Whether `error` (or an error it wraps) says the storage is full. */
export function isStorageFull(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const { code, name, $metadata } = current as Error & { code?: unknown; $metadata?: { httpStatusCode?: number } };
    if ((typeof code === "string" && FULL_CODES.has(code)) || FULL_CODES.has(name) || $metadata?.httpStatusCode === 507) return true;
  }
  return false;
}

/**
 * The typed answer to a full storage: 507 `insufficient_storage`. Reads and deletes keep
 * working, so users can still free space.
 */
export function insufficientStorage(cause: unknown): ParlorError {
  return new ParlorError("insufficient_storage", "The server's storage is full. Delete old threads, or try again later.", { cause });
}
