import { createHash } from "node:crypto";
import { ParlorConfigError } from "../errors.js";

/**
 * The session cookie's name, decided with the rest of the configuration because it follows
 * from it (app name, public URL, `session.cookieName`) and is part of the frozen
 * `config.cookie` that embedders and tests read. Its attributes, and the check of the prefix
 * rules where the cookie is set, are in auth/cookies.ts.
 *
 * - `__Host-` is added whenever the cookie is Secure: it binds the cookie to this exact host,
 *   https (or loopback) only, `Path=/`, no `Domain`.
 * - The default name carries the app's identity (name, origin and path), because cookies are
 *   not separated by port: two apps on one host must not overwrite each other's session.
 */
export function sessionCookieName({
  appName,
  publicUrl,
  configured,
  secure,
}: {
  appName: string;
  publicUrl: URL;
  /** `session.cookieName`, replacing the derived part. */
  configured: string | undefined;
  secure: boolean;
}): string {
  // A prefixed name on plain http is a cookie the browser drops without a word.
  if (!secure && configured !== undefined && /^__(host|secure)-/i.test(configured)) {
    throw new ParlorConfigError("session.cookieName (PARLOR_COOKIE_NAME) must not start with __Host- or __Secure- on plain http: browsers drop such a cookie");
  }
  const base = configured ?? defaultBase(appName, publicUrl);
  return secure ? `__Host-${base}` : base;
}

function defaultBase(appName: string, publicUrl: URL): string {
  const identity = `${appName}\n${publicUrl.origin}${publicUrl.pathname}`;
  const slug =
    appName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 24) || "app";
  return `parlor-${slug}-${createHash("sha256").update(identity).digest("hex").slice(0, 8)}`;
}
