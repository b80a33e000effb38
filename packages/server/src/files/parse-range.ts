import type { ByteRange } from "./file-storage.js";

/**
 * A single `bytes=` range of a file of `size` bytes (RFC 9110 §14.1.2). `null` means
 * "send the whole file" (no header, several ranges, another unit, or syntax the server may
 * ignore); `unsatisfiable` means 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | "unsatisfiable" | null {
  if (header === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, from, to] = match;
  if (from === "" && to === "") return null;
  let start: number;
  let end: number;
  if (from === "") {
    // A suffix: the last N bytes.
    const length = Number(to);
    if (length === 0) return "unsatisfiable";
    start = Math.max(0, size - length);
    end = size - 1;
  } else {
    start = Number(from);
    end = to === "" ? size - 1 : Math.min(Number(to), size - 1);
    if (to !== "" && Number(to) < start) return null;
  }
  if (start >= size || size === 0) return "unsatisfiable";
  return { start, end };
}
