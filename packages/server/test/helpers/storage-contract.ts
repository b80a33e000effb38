import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ParlorError } from "../../src/errors.js";
import type { FileStorage } from "../../src/files/file-storage.js";

/** A storage under test and a way to see everything its backend holds. */
export interface StorageFixture {
  storage: FileStorage;
  /**
   * Every trace in the backend, complete or not: stored objects, temporary files, pending
   * multipart uploads. A failed put must leave this unchanged.
   */
  contents(): Promise<string[]>;
  dispose(): Promise<void>;
}

export const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

/** A new random key of the shape Parlor uses. */
export const newKey = () => randomBytes(16).toString("hex");

/** Deterministic bytes for offsets [start, start + length): any range can be recomputed alone. */
export function pattern(start: number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) {
    const n = start + i;
    bytes[i] = Math.imul(n ^ (n >>> 13), 0x9e3779b1) >>> 24;
  }
  return bytes;
}

/** `size` bytes of {@link pattern}, in 64 KiB chunks; throws `failWith` once `failAfter` bytes are out. */
export async function* patternBody(size: number, fail?: { after: number; error: unknown }): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < size; offset += CHUNK) {
    if (fail && offset >= fail.after) throw fail.error;
    yield pattern(offset, Math.min(CHUNK, size - offset));
  }
  if (fail) throw fail.error;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

export function sha256OfPattern(size: number): string {
  const hash = createHash("sha256");
  for (let offset = 0; offset < size; offset += CHUNK) hash.update(pattern(offset, Math.min(CHUNK, size - offset)));
  return hash.digest("hex");
}

export async function sha256OfStream(stream: Readable): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk as Uint8Array);
  return hash.digest("hex");
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/**
 * The guarantees every {@link FileStorage} gives, run against the storage `setup` creates
 * (once for the whole suite).
 */
export function describeStorageContract(name: string, setup: () => Promise<StorageFixture>): void {
  describe(`${name}: FileStorage contract`, () => {
    let fixture: StorageFixture;
    let storage: FileStorage;

    beforeAll(async () => {
      fixture = await setup();
      storage = fixture.storage;
    });
    afterAll(async () => {
      await fixture?.dispose();
    });

    it("stores a small object and reads it back", async () => {
      const key = newKey();
      const bytes = Buffer.from("hello, parlor\n");
      expect(await storage.put(key, once(bytes), "text/plain")).toEqual({ size: bytes.length });
      const stream = await storage.get(key);
      expect(stream).toBeInstanceOf(Readable);
      expect((await readAll(stream)).toString()).toBe(bytes.toString());
    });

    it("stores an empty object", async () => {
      const key = newKey();
      expect(await storage.put(key, patternBody(0), "application/octet-stream")).toEqual({ size: 0 });
      expect((await readAll(await storage.get(key))).length).toBe(0);
    });

    describe("a 12 MiB object (more than two multipart parts)", () => {
      const size = 12 * MiB;
      const key = newKey();
      let stored: { size: number };
      beforeAll(async () => {
        stored = await storage.put(key, patternBody(size), "application/octet-stream");
      });

      it("streams in and out unchanged", async () => {
        expect(stored).toEqual({ size });
        expect(await sha256OfStream(await storage.get(key))).toBe(sha256OfPattern(size));
      });

      it.each([
        ["the first bytes", 0, 9],
        ["a single byte", 4242, 4242],
        ["a middle range across the 5 MiB mark", 5 * MiB - 3, 5 * MiB + 3],
        ["the last byte", size - 1, size - 1],
      ])("reads %s as an inclusive range", async (_label, start, end) => {
        const bytes = await readAll(await storage.get(key, { start, end }));
        // Length first: a diff of two large buffers is slow and huge.
        expect(bytes.length).toBe(end - start + 1);
        expect(bytes.equals(pattern(start, end - start + 1))).toBe(true);
      });

      it("stops a range that runs past the end at the last byte", async () => {
        const bytes = await readAll(await storage.get(key, { start: size - 2, end: size + 100 }));
        expect(bytes.length).toBe(2);
        expect(bytes.equals(pattern(size - 2, 2))).toBe(true);
      });

      it("reads the whole object as a range", async () => {
        expect(await sha256OfStream(await storage.get(key, { start: 0, end: size - 1 }))).toBe(sha256OfPattern(size));
      });
    });

    it("rejects get of a missing object (not later, on the stream)", async () => {
      await expect(storage.get(newKey())).rejects.toThrow();
      await expect(storage.get(newKey(), { start: 0, end: 0 })).rejects.toThrow();
    });

    it("deletes an object; get then rejects; deleting again or a missing key is fine", async () => {
      const key = newKey();
      await storage.put(key, once(Buffer.from("bye")), "text/plain");
      await storage.delete(key);
      await expect(storage.get(key)).rejects.toThrow();
      await expect(storage.delete(key)).resolves.toBeUndefined();
      await expect(storage.delete(newKey())).resolves.toBeUndefined();
    });

    it.each([
      ["before the first byte", 0],
      ["after 1 MiB (less than one multipart part)", 1 * MiB],
      ["after 6 MiB (past the first multipart part)", 6 * MiB],
    ])("keeps nothing when the body throws %s, and rethrows that very error", async (_label, after) => {
      const before = await fixture.contents();
      const key = newKey();
      const error = new ParlorError("payload_too_large", "File is too large");
      await expect(storage.put(key, patternBody(12 * MiB, { after, error }), "application/octet-stream")).rejects.toBe(error);
      expect(await fixture.contents()).toEqual(before);
      await expect(storage.get(key)).rejects.toThrow();
    });

    it("refuses keys that are not Parlor's", async () => {
      await expect(storage.get("../../etc/passwd")).rejects.toThrow("invalid storage key");
      await expect(storage.delete("a/b")).rejects.toThrow("invalid storage key");
      await expect(storage.put("not-hex", once(Buffer.from("x")), "text/plain")).rejects.toThrow("invalid storage key");
    });
  });
}
