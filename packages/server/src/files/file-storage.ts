import type { Readable } from "node:stream";

/** A byte range, both ends inclusive, as in HTTP `Range`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where file bytes live. Keys are random and never derived from user input. Reads and
 * writes are streams: memory does not grow with file size.
 */
export interface FileStorage {
  /**
   * Stores the bytes under `key`. Either the whole object is stored or nothing is: on an
   * error (a size limit, a client that disconnects) the partial data is removed. A full
   * storage rejects with its own error (ENOSPC, MinIO's XMinioStorageFull…): the edges
   * recognise it with `isStorageFull` (storage-full.ts) and answer `insufficient_storage`.
   */
  put(key: string, body: AsyncIterable<Uint8Array>, contentType: string): Promise<{ size: number }>;
  /** The object's bytes, or a range of them. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Removes the object; removing a missing one is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Removes what unfinished writes left behind (a crash mid-upload), when the storage keeps
   * such leftovers itself; only leftovers untouched for `idleMs`. Returns how many.
   */
  removePartialUploads?(idleMs: number, now: number): Promise<number>;
  /** Rejects when the storage cannot be used right now (for `/readyz`); reads and writes nothing. */
  check?(): Promise<void>;
}
