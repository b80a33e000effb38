import { ParlorConfigError } from "../errors.js";

/**
 * The path prefix everything is served under, from the public URL's path:
 * `https://example.com/chat/` → `/chat`, `https://example.com` → `""`. No trailing slash, so
 * routes are written `${basePath}/auth/me`. The proxy in front forwards the path unchanged
 * (the prefix is part of every request Parlor sees), which is why the prefix is the public
 * URL's own path and not a second setting that could disagree with it.
 *
 * A query, a fragment, `..` or `.` segments, empty segments and characters that would need
 * escaping in a route or an HTML attribute are refused at start-up.
 *
 * @example
 * basePathOf(new URL("https://example.com/chat/")) // "/chat"
 */
export function basePathOf(publicUrl: URL): string {
  if (publicUrl.search !== "" || publicUrl.hash !== "") {
    throw new ParlorConfigError("publicUrl (PARLOR_PUBLIC_URL) must not have a query or a fragment");
  }
  const path = publicUrl.pathname.replace(/\/+$/, "");
  if (path === "") return "";
  // Letters, digits and -._~ per segment: a prefix is a plain path, and it is written into
  // routes, a <base href> and cookies' identity without any escaping.
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(path) || path.split("/").some((segment) => segment === "." || segment === "..")) {
    throw new ParlorConfigError(
      `publicUrl (PARLOR_PUBLIC_URL) has a path Parlor cannot serve under: use segments of letters, digits, "-", "_", "." and "~" (got "${path.slice(0, 100)}")`,
    );
  }
  return path;
}
