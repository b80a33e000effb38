import type { onRequestHookHandler } from "fastify";
import { ParlorError } from "../errors.js";
import type { CsrfTokens } from "./csrf-token.js";
import { isAllowedOrigin, type OriginPolicy } from "./request-origin.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The CSRF rules for every unsafe request, in one hook (server README, "Security model" → CSRF):
 * cookie-authenticated → same-origin rule and a valid `X-CSRF-Token`;
 * `pre-session` routes (login) → same-origin rule, always; bearer-authenticated → nothing
 * else, since a bearer token is no ambient credential. Runs after `authenticateRequest`, which
 * sets `request.session` and `request.authMethod` (declared in auth/request-session.ts).
 */
export function verifyCsrf(tokens: CsrfTokens, policy: OriginPolicy): onRequestHookHandler {
  return function verifyCsrf(request, _reply, done) {
    if (SAFE_METHODS.has(request.method)) return done();
    const preSession = request.routeOptions.config.csrf === "pre-session";
    const byCookie = request.authMethod === "cookie";
    if (!preSession && !byCookie) return done();

    if (!isAllowedOrigin(request.headers, request.socket, policy)) {
      return done(new ParlorError("csrf", "Cross-site request refused"));
    }
    if (byCookie && !preSession && !tokens.verify(request.session!.sessionId, request.headers["x-csrf-token"])) {
      return done(new ParlorError("csrf", "Missing or invalid CSRF token (send the X-CSRF-Token header)"));
    }
    done();
  };
}
