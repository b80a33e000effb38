/** What the embed page reads from its own address: `/embed/<id>?host=<origin>&theme=…&lang=…`. */
export interface EmbedSettings {
  /** The host page's origin; the server refused to serve this page for any other. */
  hostOrigin: string;
  theme: "light" | "dark" | "auto";
  /** A language tag for `<html lang>`, or `null`. */
  language: string | null;
  /**
   * Where the Parlor server is, relative to this page: the path before `/embed/` (`""` at the
   * root, `"/chat"` under a path prefix). The API, socket.io and files are all there.
   */
  baseUrl: string;
}

const LANGUAGE_TAG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

/**
 * Reads the settings from `location`, or `null` when the address has no usable host origin
 * (the page was opened by hand, not by the widget loader). Pure, for the unit tests.
 */
export function readEmbedSettings(location: { pathname: string; search: string }): EmbedSettings | null {
  const query = new URLSearchParams(location.search);
  const host = query.get("host");
  if (host === null || !isOrigin(host)) return null;
  const theme = query.get("theme");
  const language = query.get("lang");
  const at = location.pathname.lastIndexOf("/embed/");
  return {
    hostOrigin: host,
    theme: theme === "light" || theme === "dark" ? theme : "auto",
    language: language !== null && LANGUAGE_TAG.test(language) ? language : null,
    baseUrl: at > 0 ? location.pathname.slice(0, at) : "",
  };
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === value;
  } catch {
    return false;
  }
}
