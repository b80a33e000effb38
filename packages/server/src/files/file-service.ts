import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import type { FileInfo } from "@parlor/protocol";
import type { FastifyBaseLogger } from "fastify";
import type { ParlorConfig } from "../config/resolve-config.js";
import type { FileRow, FileStore } from "../data/file-store.js";
import { sortableId } from "../data/sortable-id.js";
import { ParlorError } from "../errors.js";
import { sanitizeFileName } from "./file-name.js";
import type { ByteRange, FileStorage } from "./file-storage.js";
import { SNIFF_BYTES, sniffType } from "./sniff-type.js";

export interface FileServiceDeps {
  config: ParlorConfig;
  store: FileStore;
  storage: FileStorage;
  clock: () => number;
  log: FastifyBaseLogger;
}

export interface NewFile {
  userId: string;
  threadId?: string | null;
  messageId?: string | null;
  name: string | undefined;
  declaredType?: string | undefined;
  body: AsyncIterable<Uint8Array>;
}

/**
 * A partial upload untouched this long is taken for dead: a live upload writes far more often.
 * File times are real time, so this is compared with `Date.now()`, not the injected clock.
 */
export const PARTIAL_UPLOAD_IDLE_MS = 5 * 60 * 1000;

/**
 * The public shape of a file, as the API and socket events show it. Its `url` is a path as the
 * browser sees it, with the app's base path (`/chat/api/files/<id>`): the web UI puts it in an
 * `<img src>` as it is.
 */
export function toFileInfo(row: FileRow, basePath: string): FileInfo {
  return { id: row.id, name: row.name, mime: row.mime, size: row.size, url: `${basePath}/api/files/${row.id}` };
}

/**
 * Files end to end: sniff the type from the bytes, check it is accepted, stream to storage
 * within the size limit, then (and only then) write the row. Anything that fails on the
 * way leaves neither bytes nor a row behind.
 */
export class FileService {
  private readonly accept: Array<(mime: string) => boolean>;

  /** A row's public shape (`toFileInfo`) with this app's base path. */
  readonly info = (row: FileRow): FileInfo => toFileInfo(row, this.deps.config.basePath);

  constructor(private readonly deps: FileServiceDeps) {
    this.accept = deps.config.files.accept.map((pattern) => {
      const [type, subtype] = pattern.split("/");
      return (mime) => {
        const [t, s] = mime.split("/");
        return (type === "*" || type === t) && (subtype === "*" || subtype === s);
      };
    });
  }

  async create(file: NewFile): Promise<FileRow> {
    const { head, rest } = await readHead(file.body, SNIFF_BYTES);
    const mime = await sniffType(head);
    if (!this.accept.some((matches) => matches(mime))) {
      throw new ParlorError("unsupported_media_type", `Files of type ${mime} are not accepted`);
    }
    const key = randomBytes(16).toString("hex");
    const max = this.deps.config.files.maxUploadBytes;
    const { size } = await this.deps.storage.put(key, limitSize(prepend(head, rest), max), mime);
    const row: FileRow = {
      id: sortableId(),
      user_id: file.userId,
      thread_id: file.threadId ?? null,
      message_id: file.messageId ?? null,
      name: sanitizeFileName(file.name),
      declared_type: file.declaredType?.slice(0, 255) ?? null,
      mime,
      size,
      storage_key: key,
      created_at: this.deps.clock(),
    };
    try {
      await this.deps.store.insert(row);
    } catch (error) {
      await this.deps.storage.delete(key);
      throw error;
    }
    return row;
  }

  /** The file if the user owns it, else `null` (as if it did not exist). */
  findOwned(userId: string, fileId: string): Promise<FileRow | null> {
    return this.deps.store.findOwned(userId, fileId);
  }

  findById(fileId: string): Promise<FileRow | null> {
    return this.deps.store.findById(fileId);
  }

  countUnattached(userId: string): Promise<number> {
    return this.deps.store.countUnattached(userId);
  }

  /**
   * Checks that every id is one of the user's uploads not attached yet (and not uploaded
   * for another thread), so a message is refused before anything is written.
   */
  async checkAttachable(userId: string, fileIds: readonly string[], threadId: string | null): Promise<boolean> {
    const unique = [...new Set(fileIds)];
    return (await this.deps.store.countAttachable(userId, unique, threadId)) === unique.length;
  }

  /** Attaches checked uploads to a stored message and returns them. */
  async attach(userId: string, fileIds: readonly string[], threadId: string, messageId: string): Promise<FileRow[]> {
    if (fileIds.length === 0) return [];
    const unique = [...new Set(fileIds)];
    await this.deps.store.attach(userId, unique, threadId, messageId);
    return this.deps.store.listForMessages([messageId]);
  }

  listForMessages(messageIds: readonly string[]): Promise<FileRow[]> {
    return this.deps.store.listForMessages(messageIds);
  }

  listForThread(threadId: string): Promise<FileRow[]> {
    return this.deps.store.listForThread(threadId);
  }

  open(row: FileRow, range?: ByteRange): Promise<Readable> {
    return this.deps.storage.get(row.storage_key, range);
  }

  /** Removes the bytes of files whose rows are gone (thread deleted); failures are logged, not thrown. */
  async deleteObjects(rows: readonly FileRow[]): Promise<void> {
    for (const row of rows) {
      await this.deps.storage
        .delete(row.storage_key)
        .catch((error: unknown) => this.deps.log.error({ err: error, fileId: row.id }, "could not delete a file's bytes"));
    }
  }

  /**
   * Deletes partial uploads left by a crash or a killed process: untouched for
   * `PARTIAL_UPLOAD_IDLE_MS`, so an upload another process is receiving is not cut.
   */
  async sweepPartialUploads(): Promise<number> {
    return (await this.deps.storage.removePartialUploads?.(PARTIAL_UPLOAD_IDLE_MS, Date.now())) ?? 0;
  }

  /** Deletes uploads never attached to a message within `orphanTtl`. Returns how many. */
  async sweepOrphans(): Promise<number> {
    const before = this.deps.clock() - this.deps.config.files.orphanTtl * 1000;
    let removed = 0;
    for (;;) {
      const orphans = await this.deps.store.listOrphans(before, 100);
      for (const row of orphans) {
        await this.deps.store.delete(row.id);
        await this.deleteObjects([row]);
        removed++;
      }
      if (orphans.length < 100) return removed;
    }
  }
}

/** Reads up to `size` bytes from the front of a stream, handing back the rest untouched. */
async function readHead(body: AsyncIterable<Uint8Array>, size: number): Promise<{ head: Buffer; rest: AsyncIterator<Uint8Array> }> {
  const iterator = body[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (length < size) {
    const next = await iterator.next();
    if (next.done) break;
    chunks.push(next.value);
    length += next.value.byteLength;
  }
  return { head: Buffer.concat(chunks), rest: iterator };
}

async function* prepend(head: Buffer, rest: AsyncIterator<Uint8Array>): AsyncIterable<Uint8Array> {
  if (head.byteLength > 0) yield head;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

/** Fails the stream as soon as it passes `max` bytes: the storage then discards what it wrote. */
async function* limitSize(source: AsyncIterable<Uint8Array>, max: number): AsyncIterable<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.byteLength;
    if (total > max) throw new ParlorError("payload_too_large", `Files are limited to ${max} bytes`);
    yield chunk;
  }
}
