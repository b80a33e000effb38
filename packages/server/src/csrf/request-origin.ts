import type { OwnOrigin, Peer } from "../http/own-origin.js";

export interface OriginPolicy {
  /** The app's public origin and any configured extra origins. */
  allowedOrigins: ReadonlySet<string>;
  /** Accept `Sec-Fetch-Site: same-site`. */
  allowSameSite: boolean;
  /** The origin a request was addressed to, proxy-aware (see `http/own-origin.ts`). */
  ownOrigin: OwnOrigin;
}

type Headers = Record<string, string | string[] | undefined>;

/**
 * Rule 1 of CSRF: is this request from the app's own origin (or an allowed one)?
 * Browsers send `Sec-Fetch-Site`, which a page cannot forge; older ones send `Origin` (or at
 * least `Referer`) on unsafe requests. A request with none of them is refused.
 *
 * The same rule for HTTP requests and socket.io handshakes. The request's own origin (scheme
 * and host it was addressed to, from `policy.ownOrigin`) is accepted too: a forged request
 * from another site carries that site's Origin, never this one.
 */
export function isAllowedOrigin(headers: Headers, peer: Peer, policy: OriginPolicy): boolean {
  const site = headers["sec-fetch-site"];
  if (site === "same-origin") return true;
  if (site === "same-site" && policy.allowSameSite) return true;

  const origin = requestOrigin(headers);
  if (origin === null) return false;
  if (site === undefined && origin === policy.ownOrigin(headers, peer)) return true;
  return policy.allowedOrigins.has(origin);
}

function requestOrigin(headers: Headers): string | null {
  const origin = headers.origin;
  if (typeof origin === "string") return origin === "null" ? null : origin;
  const referer = headers.referer;
  if (typeof referer !== "string") return null;
  try {
    return new URL(referer).origin;
  } catch {
    return null;
  }
}
