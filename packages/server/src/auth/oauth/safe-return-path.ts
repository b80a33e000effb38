const MAX_LENGTH = 2048;
const BASE = "http://parlor.invalid";
// Control characters (C0 — tab and newlines included, which URL parsers drop —, DEL, C1) and backslashes.
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's job
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\\]/u;

/**
 * Where to send the browser after a login: `value` if it is a path on this origin, `/`
 * otherwise. It never returns anything a browser could read as another host.
 *
 * Refused: anything not starting with a single `/` (`https://evil.com`, `evil.com`,
 * `%2F%2Fevil.com`), protocol-relative `//evil.com` and `/\evil.com` (browsers read `\` as
 * `/`), backslashes, control characters anywhere (`/\t/evil.com` parses as
 * `//evil.com`), and the same tricks percent-encoded (`/%2F%2Fevil.com`, `/%5Cevil.com`),
 * since a proxy or a client-side router may decode the path once more before using it.
 * Non-strings (a repeated query parameter) and paths over 2 KiB are refused too.
 *
 * @example
 * safeReturnPath("/threads/42?tab=files") // "/threads/42?tab=files"
 * safeReturnPath("//evil.com")            // "/"
 */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_LENGTH) return "/";
  if (!value.startsWith("/")) return "/";
  // Check the raw value and every further decoding of it: what is safe must stay safe.
  let decoded = value;
  for (let round = 0; round < 4; round++) {
    if (FORBIDDEN.test(decoded) || decoded.startsWith("//")) return "/";
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return "/"; // malformed percent-encoding
    }
    if (next === decoded) break;
    decoded = next;
    if (round === 3) return "/"; // nested encodings this deep are never a real path
  }
  // The browser's own reading must land on this origin, at the same path.
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  const path = url.pathname + url.search + url.hash;
  return path.startsWith("/") && !path.startsWith("//") ? path : "/";
}
