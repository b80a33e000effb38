import type { OriginPolicy } from "./request-origin.js";
import type { Peer } from "../http/own-origin.js";

type Headers = Record<string, string | string[] | undefined>;

/** The settings a refused origin must be added to, as messages name them. */
export const ALLOWED_ORIGINS_SETTING = "PARLOR_ALLOWED_ORIGINS (or server.allowedOrigins)";

/**
 * The `Origin` of a request that the browser sends across origins, or `null`: none, `null`
 * (a sandboxed or `file:` page, which no setting can allow), or the page's own origin.
 */
export function crossOrigin(headers: Headers, peer: Peer, policy: OriginPolicy): string | null {
  const origin = headers.origin;
  if (typeof origin !== "string" || origin === "null" || headers["sec-fetch-site"] === "same-origin") return null;
  return origin === policy.ownOrigin(headers, peer) ? null : origin;
}

/**
 * Whether the browser lets a page on `origin` read this server's answers: only the origins
 * the CORS plugin answers (`allowedOrigins`) and the app's own public origin.
 */
export function isCorsAllowed(origin: string, policy: OriginPolicy): boolean {
  return policy.allowedOrigins.has(origin);
}

/** An origin as messages and logs show it: bounded, since it is whatever the request said. */
export function shownOrigin(origin: string): string {
  return origin.length > 200 ? `${origin.slice(0, 200)}…` : origin;
}
