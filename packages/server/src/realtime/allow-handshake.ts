import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import { bearerToken } from "../auth/authenticate-request.js";
import { readCookie } from "../auth/cookies.js";
import { deriveKeyRing } from "../crypto/key-ring.js";
import { SessionTokenCodec } from "../auth/session-token.js";
import type { ParlorConfig } from "../config/resolve-config.js";
import { isAllowedOrigin, type OriginPolicy } from "../csrf/request-origin.js";
import { ParlorError } from "../errors.js";
import { HOST_NOT_ALLOWED_MESSAGE, type IsAllowedHost } from "../http/allowed-hosts.js";
import type { HandshakeRateCheck } from "./handshake-rate-limit.js";

/** What engine.io hands `allowRequest`: the raw request, plus the response on long-polling. */
type EngineRequest = IncomingMessage & { res?: ServerResponse };
type AllowRequest = (request: EngineRequest, callback: (error: string | null | undefined, success: boolean) => void) => void;

export interface AllowHandshakeOptions {
  /** For the session secrets and the cookie name. */
  config: ParlorConfig;
  originPolicy: OriginPolicy;
  checkRate: HandshakeRateCheck;
  /** The HTTP Host check (DNS rebinding): engine.io's requests never pass Fastify's hooks. */
  isAllowedHost: IsAllowedHost;
  /** Shutdown has started (server/graceful-shutdown.ts). */
  isDraining: () => boolean;
  clock: () => number;
}

/**
 * engine.io's `allowRequest`: runs on every new engine.io connection (long-polling or
 * WebSocket), before engine.io allocates anything for it. A refusal costs the server one
 * response and no session, so a flood of handshakes cannot pile up memory.
 *
 * In order: the handshake rate per IP (counted first, so refused attempts count too), the
 * `Host` (as for HTTP, see http/allowed-hosts.ts), the `Origin` rule, and a session token signed by this server. The token is the session cookie
 * or an `Authorization: Bearer` header: the socket.io `auth` payload (`auth.token`) arrives
 * only after this point, so a bearer client must also send its token as a header on the
 * handshake. An expired or revoked token still passes here: `authenticateSocket` does the
 * full check and refuses it with a code the client acts on (`unauthenticated` makes it
 * renew the cookie through `GET /auth/me` and reconnect), which a bare HTTP status cannot carry.
 */
/**
 * A browser cannot set `Authorization` on a WebSocket upgrade, so a bearer client (the widget)
 * sends its token in socket.io's `auth.token`, which arrives only after this point, and says
 * so with `bearer=1` on the handshake URL. That is a declaration, not a credential (the token
 * never goes in a URL, where logs keep it): such a handshake passes with no token here, after
 * the rate, Host and Origin checks, and `authenticateSocket` refuses it unless `auth.token`
 * is a live session; one that never sends it is dropped at the join deadline
 * (`realtime.connectTimeout`). Every other handshake without a credential is still refused
 * here, before engine.io keeps anything.
 */
export const BEARER_HANDSHAKE_PARAMETER = "bearer";

function declaresBearer(url: string | undefined): boolean {
  const query = url?.split("?")[1];
  return query !== undefined && new URLSearchParams(query).get(BEARER_HANDSHAKE_PARAMETER) === "1";
}

export function allowHandshake({ config, originPolicy, checkRate, isAllowedHost, isDraining, clock }: AllowHandshakeOptions): AllowRequest {
  const tokens = new SessionTokenCodec(deriveKeyRing(config, "session-jwt"), config.appId);

  return function allowRequest(request, callback) {
    checkHandshake(request).then(
      () => callback(null, true),
      (error: unknown) => {
        const refusal = error instanceof ParlorError ? error : new ParlorError("internal", "Handshake check failed", { cause: error });
        answer(request, refusal);
        callback(refusal.message, false);
      },
    );
  };

  async function checkHandshake(request: EngineRequest): Promise<void> {
    // A draining node takes no new sockets: socket.io clients retry, and the balancer sends them elsewhere.
    if (isDraining()) throw new ParlorError("unavailable", "The server is restarting; connect again in a moment", { headers: { "retry-after": "1" } });
    const retryAfter = await checkRate(request);
    if (retryAfter !== null) {
      throw new ParlorError("rate_limited", "Too many connection attempts; try again later", {
        headers: { "retry-after": String(retryAfter) },
      });
    }

    const { headers } = request;
    if (!isAllowedHost(headers, request.socket.remoteAddress)) throw new ParlorError("host_not_allowed", HOST_NOT_ALLOWED_MESSAGE);
    if (!isAllowedOrigin(headers, request.socket, originPolicy)) throw new ParlorError("csrf", "Connection from a foreign origin refused");

    const token = bearerToken(headers.authorization) ?? readCookie(headers.cookie, config.cookie.name);
    if (token === null && declaresBearer(request.url)) return;
    if (token === null || (await tokens.verify(token, clock())) === null) throw new ParlorError("unauthenticated", "Log in first");
  }
}

/**
 * Answers a refused handshake with Parlor's JSON error and status (429 with `Retry-After`,
 * 403, 401). engine.io would answer 403 or 400 with its own body; it leaves a response that
 * is already sent alone. On a WebSocket upgrade there is no response object, only the socket.
 */
function answer(request: EngineRequest, error: ParlorError): void {
  const body = JSON.stringify(error.toJSON());
  const headers = { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(body)), ...error.headers };
  if (request.res !== undefined) {
    if (!request.res.headersSent) request.res.writeHead(error.status, headers).end(body);
    return;
  }
  const socket = request.socket;
  if (!socket.writable) return;
  const head = Object.entries({ ...headers, connection: "close" }).map(([name, value]) => `${name}: ${value}\r\n`);
  // `end` leaves the socket unwritable, so engine.io adds no second response of its own.
  socket.end(`HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ""}\r\n${head.join("")}\r\n${body}`);
}
