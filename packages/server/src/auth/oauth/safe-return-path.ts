const MAX_LENGTH = 2048;
const BASE = "http://parlor.invalid";
// Control characters (C0 — tab and newlines included, which URL parsers drop —, DEL, C1) and backslashes.
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's job
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\\]/u;

/**
 * Where to send the browser after a login: `value` if it is a path on this origin under the
 * app's base path (`basePath`, `""` at the root), `<basePath>/` otherwise. It never returns
 * anything a browser could read as another host, nor a path of another app on the same host
 * (`/b/…` for an app at `/a/`, or `/a/../b/`, which the browser reads as `/b/`).
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
 * safeReturnPath("/b/chat", "/a")          // "/a/"
 */
export function safeReturnPath(value: unknown, basePath = ""): string {
  const home = `${basePath}/`;
  const found = pathOnThisOrigin(value);
  if (found === null) return home;
  // Under the prefix as the browser reads it, and still after the decodings a proxy or a
  // router may add (`/a/%252e%252e/b`).
  const underBase = (path: string) => {
    const pathname = new URL(path, BASE).pathname;
    return pathname === basePath || pathname.startsWith(home);
  };
  return underBase(found.path) && underBase(found.decoded) ? found.path : home;
}

function pathOnThisOrigin(value: unknown): { path: string; decoded: string } | null {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_LENGTH) return null;
  if (!value.startsWith("/")) return null;
  // Check the raw value and every further decoding of it: what is safe must stay safe.
  let decoded = value;
  for (let round = 0; round < 4; round++) {
    if (FORBIDDEN.test(decoded) || decoded.startsWith("//")) return null;
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return null; // malformed percent-encoding
    }
    if (next === decoded) break;
    decoded = next;
    if (round === 3) return null; // nested encodings this deep are never a real path
  }
  // The browser's own reading must land on this origin, at the same path.
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE) return null;
  const path = url.pathname + url.search + url.hash;
  return path.startsWith("/") && !path.startsWith("//") ? { path, decoded } : null;
}
