/**
 * The prefix the app is served under (`/chat`, or `""` at the root), read once from the
 * `<base href>` the server writes into `index.html` (`packages/server/src/server/base-href.ts`). The
 * same build runs under any prefix chosen at run time: assets are relative to that base,
 * and the router, links, API calls and the socket all put the prefix in front of the app's
 * own paths (`/`, `/login`, `/chat/<id>`), which stay prefix-free inside the app.
 *
 * Only an element's `href` counts, never the page URL: the Vite dev server writes no base,
 * and there the app is at the root.
 */
export const basePath: string = readBasePath();

function readBasePath(): string {
  if (typeof document === "undefined") return "";
  const href = document.querySelector("base")?.getAttribute("href");
  if (href == null) return "";
  const path = new URL(href, window.location.origin).pathname.replace(/\/+$/, "");
  // Only a plain path on this origin (the server never writes anything else).
  return /^(\/[A-Za-z0-9._~-]+)*$/.test(path) ? path : "";
}

/**
 * The URL path of one of the app's paths: `/chat/1` → `/prefix/chat/1`.
 *
 * @example
 * hrefOf("/sessions") // "/chat/sessions" under /chat/
 */
export function hrefOf(appPath: string, base: string = basePath): string {
  return base === "" ? appPath : appPath === "/" ? `${base}/` : `${base}${appPath}`;
}

/**
 * The app's path for a URL path: the prefix taken off (`/prefix/chat/1` → `/chat/1`,
 * `/prefix` → `/`). A path outside the prefix is returned as it is (the router calls it
 * not-found).
 */
export function appPathOf(urlPath: string, base: string = basePath): string {
  if (base === "") return urlPath;
  if (urlPath === base) return "/";
  return urlPath.startsWith(`${base}/`) ? urlPath.slice(base.length) : urlPath;
}
