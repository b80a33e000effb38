import type { HandshakeAuth, HandshakeErrorCode } from "@parlor/protocol";
import type { ExtendedError } from "socket.io";
import { bearerToken } from "../auth/authenticate-request.js";
import type { SessionService } from "../auth/session-service.js";
import { readCookie } from "../auth/cookies.js";
import { isDatabaseUnavailable } from "../data/database-unavailable.js";
import { isAllowedOrigin, type OriginPolicy } from "../csrf/request-origin.js";
import type { ParlorSocket } from "./socket-types.js";

/** Handshake refusals carry a code in `err.data`, which socket.io clients receive. */
function refuse(code: HandshakeErrorCode, message: string): ExtendedError {
  const error: ExtendedError = new Error(message);
  error.data = { code };
  return error;
}

/**
 * The handshake is an unsafe request like any other (its Host, rate and a signed token were
 * already screened by `allowHandshake`): it must come from an allowed origin
 * (cross-site websocket hijacking), and a cookie-authenticated one must carry the CSRF token
 * in `auth.csrfToken`. A bearer token (`auth.token`, or the `Authorization` header that
 * `allowHandshake` requires of bearer clients) carries no ambient credential and needs no
 * CSRF token; from a browser it comes in `auth.token` alone (see `BEARER_HANDSHAKE_PARAMETER`),
 * and this is where it is checked. Tokens are not renewed here (a socket cannot set a cookie): a client
 * with an expired token refreshes it with `GET /auth/me` and reconnects.
 */
export function authenticateSocket(sessions: SessionService, cookieName: string, policy: OriginPolicy) {
  // socket.io ignores the promise a middleware returns: a throw that escaped would be an
  // unhandled rejection (the end of the process) and a handshake nobody answers.
  return function authenticateSocket(socket: ParlorSocket, next: (error?: ExtendedError) => void) {
    authenticate(socket, next).catch(() => next(refuse("internal", "The connection could not be checked")));
  };

  async function authenticate(socket: ParlorSocket, next: (error?: ExtendedError) => void) {
    const { headers } = socket.handshake;
    if (!isAllowedOrigin(headers, socket.request.socket, policy)) {
      return next(refuse("csrf", "Connection from a foreign origin refused"));
    }

    const auth = (socket.handshake.auth ?? {}) as HandshakeAuth;
    const bearer = typeof auth.token === "string" && auth.token !== "" ? auth.token : bearerToken(headers.authorization);
    const token = bearer ?? readCookie(headers.cookie, cookieName);
    if (token === null) return next(refuse("unauthenticated", "Log in first"));

    try {
      const result = await sessions.authenticate(token, { renew: false });
      if (result === null || (bearer === null && !sessions.cookieMayCarry(result.principal))) {
        return next(refuse("unauthenticated", "Session expired or revoked"));
      }
      if (bearer === null && !sessions.csrf.verify(result.principal.sessionId, auth.csrfToken)) {
        return next(refuse("csrf", "Missing or invalid CSRF token (send auth.csrfToken)"));
      }
      socket.data.principal = result.principal;
      socket.data.authMethod = bearer === null ? "cookie" : "bearer";
      next();
    } catch (error) {
      // Never the raw error: socket.io hands its message to the client ("connect ECONNREFUSED
      // 10.0.0.5:5432"). A database outage gets a code the client can wait out.
      if (isDatabaseUnavailable(error)) return next(refuse("unavailable", "Temporarily unavailable. Try again shortly."));
      next(refuse("internal", "The connection could not be checked"));
    }
  }
}
