import { createReadStream } from "node:fs";
import { constants } from "node:fs";
import { access, mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ByteRange, FileStorage } from "./file-storage.js";

const KEY = /^[a-f0-9]{32,64}$/;

/**
 * Files on local disk under `root`, sharded by the key's first two characters. Writes go
 * to a temporary file renamed into place when complete, so readers never see half a file.
 */
export class LocalFileStorage implements FileStorage {
  /** Temporary files this process is writing right now: never swept. */
  private readonly writing = new Set<string>();

  constructor(private readonly root: string) {}

  /** The folder exists (or can be made) and this process may write to it: a shared volume still mounted. */
  async check(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await access(this.root, constants.W_OK);
  }

  async put(key: string, body: AsyncIterable<Uint8Array>): Promise<{ size: number }> {
    const target = this.pathOf(key);
    const temporary = join(this.root, "tmp", `${key}.part`);
    await mkdir(join(this.root, "tmp"), { recursive: true });
    await mkdir(join(target, ".."), { recursive: true });
    // Opened before streaming, not by createWriteStream: its open runs in the background, so a
    // body failing at once (the first chunk over the size limit) could reject the pipeline and
    // run the rm below before the open created the file, leaving a `.part` behind.
    const file = await open(temporary, "wx", 0o600);
    let size = 0;
    this.writing.add(temporary);
    try {
      await pipeline(
        body,
        async function* count(source: AsyncIterable<Uint8Array>) {
          for await (const chunk of source) {
            size += chunk.byteLength;
            yield chunk;
          }
        },
        file.createWriteStream(),
      );
      await rename(temporary, target);
      return { size };
    } catch (error) {
      await file.close().catch(() => {});
      await rm(temporary, { force: true });
      throw error;
    } finally {
      this.writing.delete(temporary);
    }
  }

  /**
   * Removes `tmp/*.part` files left by uploads that never finished (the process crashed or was
   * killed mid-upload). A file another process on the same folder may still be writing is kept:
   * only those untouched for `idleMs` go.
   */
  async removePartialUploads(idleMs: number, now: number): Promise<number> {
    const folder = join(this.root, "tmp");
    const names = await readdir(folder).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      const path = join(folder, name);
      if (!name.endsWith(".part") || this.writing.has(path)) continue;
      const info = await stat(path).catch(() => null);
      if (info === null || !info.isFile() || now - info.mtimeMs < idleMs) continue;
      await rm(path, { force: true });
      removed++;
    }
    return removed;
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const stream = createReadStream(this.pathOf(key), range ? { start: range.start, end: range.end } : {});
    // Surface a missing file here, not as a stream error after headers went out.
    await new Promise<void>((resolve, reject) => {
      stream.once("open", () => resolve());
      stream.once("error", reject);
    });
    return stream;
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  private pathOf(key: string): string {
    // Keys are ours, but the check keeps a bug elsewhere from becoming a path traversal.
    if (!KEY.test(key)) throw new Error("invalid storage key");
    return join(this.root, key.slice(0, 2), key);
  }
}
