import type { FastifyRequest } from "fastify";

export interface OriginPolicy {
  /** The app's public origin and any configured extra origins. */
  allowedOrigins: ReadonlySet<string>;
  /** Accept `Sec-Fetch-Site: same-site`. */
  allowSameSite: boolean;
}

/**
 * Rule 1 of CSRF: is this request from the app's own origin (or an allowed one)?
 * Browsers send `Sec-Fetch-Site`, which a page cannot forge; older ones send `Origin` (or at
 * least `Referer`) on unsafe requests. A request with none of them is refused.
 */
export function isAllowedOrigin(request: FastifyRequest, policy: OriginPolicy): boolean {
  const site = request.headers["sec-fetch-site"];
  if (site === "same-origin") return true;
  if (site === "same-site" && policy.allowSameSite) return true;

  const origin = requestOrigin(request);
  if (origin === null) return false;
  // The origin the request itself was addressed to: a forged request from another site
  // carries that site's Origin, never this one.
  if (site === undefined && origin === `${request.protocol}://${request.host}`) return true;
  return policy.allowedOrigins.has(origin);
}

function requestOrigin(request: FastifyRequest): string | null {
  const origin = request.headers.origin;
  if (origin !== undefined) return origin === "null" ? null : origin;
  const referer = request.headers.referer;
  if (referer === undefined) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return null;
  }
}
