import type { onRequestHookHandler } from "fastify";
import { ParlorError } from "../errors.js";
import "./request-session.js";
import type { AuthenticateResult, SessionService } from "./session-service.js";
import type { SessionCookies } from "./cookies.js";

const unauthenticated = () => new ParlorError("unauthenticated", "Log in first");

/**
 * Sets `request.session` from a bearer token or the session cookie, renews the cookie when
 * the session service hands back a fresh token, and answers 401 on routes that require a
 * session. Written with `done` instead of `async` so the cached-token path stays synchronous.
 */
export function authenticateRequest(sessions: SessionService, cookies: SessionCookies): onRequestHookHandler {
  return function authenticateRequest(request, reply, done) {
    // Read lazily: `routeOptions` builds a new object on every access, and the fast path never needs it.
    const reject = () => done(request.routeOptions.config.auth !== "optional" && !request.is404 ? unauthenticated() : undefined);
    const bearer = bearerToken(request.headers.authorization);
    const token = bearer ?? cookies.read(request.headers.cookie);
    if (token === null) return reject();

    const finish = (result: AuthenticateResult) => {
      // A dead cookie is not cleared here: a request still carrying the previous session's
      // cookie would race a fresh login's Set-Cookie and could wipe it. Logout clears it.
      if (result === null) return reject();
      if (bearer === null && !sessions.cookieMayCarry(result.principal)) return reject();
      request.session = result.principal;
      request.authMethod = bearer === null ? "cookie" : "bearer";
      // Written as the session's own cookie: a partitioned embedding's stays Partitioned.
      if (result.renewed && bearer === null) cookies.of(result.principal).set(reply, result.renewed.token, result.renewed.cookieMaxAge);
      done();
    };

    const result = sessions.authenticate(token, { renew: bearer === null });
    if (result instanceof Promise) result.then(finish, done);
    else finish(result);
  };
}

export function bearerToken(header: string | undefined): string | null {
  if (header === undefined || !/^bearer /i.test(header)) return null;
  const token = header.slice(7).trim();
  return token === "" ? null : token;
}
