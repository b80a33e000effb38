import type { IncomingHttpHeaders, IncomingMessage, Server, ServerOptions, ServerResponse } from "node:http";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ParlorConfig } from "../config/resolve-config.js";
import { ParlorError } from "../errors.js";
import type { OnRequestStep } from "./combine-hooks.js";
import type { HeaderSet } from "./security-headers.js";

type HttpTimeouts = ParlorConfig["http"];

/**
 * Node's own limits, as Fastify server options. Node's `requestTimeout` covers a whole
 * request, headers and body, and cannot differ per route, so it is set to the longest allowed
 * (headers, then an upload's body) as a backstop for every request, socket.io's polling
 * POSTs included; the shorter limit for other bodies is `startBodyDeadline`. Long-polling
 * is not affected: a polling GET has no body, so it is complete before socket.io starts
 * holding it open.
 */
export function timeoutServerOptions(http: HttpTimeouts): {
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionTimeout: number;
  http: ServerOptions;
} {
  const backstop = (http.headersTimeout + Math.max(http.requestTimeout, http.uploadTimeout)) * 1000;
  return {
    requestTimeout: backstop,
    keepAliveTimeout: http.keepAliveTimeout * 1000,
    // No idle timeout on sockets: a long-polling response is silent for up to 25 s by design.
    connectionTimeout: 0,
    http: {
      // Given here too: Node reads its timeouts at construction (Fastify sets them after), and
      // refuses a headers timeout longer than the request timeout.
      requestTimeout: backstop,
      headersTimeout: http.headersTimeout * 1000,
      // Node checks the two timeouts above only this often (30 s by default), which would
      // let a 10 s limit run to 40 s. A pass over the open connections each second is cheap.
      connectionsCheckingInterval: 1000,
    },
  };
}

const MULTIPART = /^\s*multipart\/form-data/i;

/**
 * Each request's body must arrive within `requestTimeout` after its headers, or
 * `uploadTimeout` for `multipart/form-data` (uploads: 20 MB on a slow link). A body still
 * incomplete then is answered 408 `request_timeout` and its connection closed: a client
 * sending a byte a second holds a connection for seconds, not for the upload limit.
 * With `closeIfBodyUnread` on the way out, a response sent before its body was read (401,
 * 404, 415…) closes the connection too, so the rest of a slow body is not waited for either.
 */
export function startBodyDeadline(http: HttpTimeouts, headers: HeaderSet): OnRequestStep {
  return function startBodyDeadline(request, reply, done) {
    // Nothing to wait for, and no timer to arm and clear, on most requests.
    if (!hasBody(request.headers)) return done();
    const seconds = MULTIPART.test(request.headers["content-type"] ?? "") ? http.uploadTimeout : http.requestTimeout;
    // Fastify is still waiting for the body and must not answer again when it fails.
    startDeadline(request.raw, reply.raw, seconds, headers, () => {
      request.log.info({ seconds }, "request body too slow: answered 408 and closed");
      reply.hijack();
    });
    done();
  };
}

/** The `onSend` half of `startBodyDeadline`: a response sent before its body arrived closes the connection. */
export function closeIfBodyUnread(request: FastifyRequest, reply: FastifyReply): void {
  // `complete` alone is not enough: a response written synchronously from the `request`
  // event (a 401 from a cached session check) comes before Node has marked even a bodiless
  // request complete, and would lose its keep-alive connection.
  if (!request.raw.complete && hasBody(request.headers)) reply.header("connection", "close");
}

/**
 * Whether a request has a body (RFC 9112 §6.3): a `Transfer-Encoding` or a non-zero
 * `Content-Length`. Node's parser decides the same way; every GET in practice has none.
 */
function hasBody(headers: IncomingHttpHeaders): boolean {
  const length = headers["content-length"];
  return headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/**
 * socket.io answers its own requests before Fastify, and its long-polling POSTs carry
 * bodies too: they get `requestTimeout` the same way. Call after socket.io is attached, so
 * this listener runs before socket.io's.
 */
export function enforceSocketIoBodyDeadline(server: Server, path: string, http: HttpTimeouts, headers: HeaderSet): void {
  server.prependListener("request", function startSocketIoBodyDeadline(request: IncomingMessage, response: ServerResponse) {
    if (request.url?.startsWith(path)) startDeadline(request, response, http.requestTimeout, headers, () => {});
  });
}

/** Answers 408 and closes the connection if the body is not complete `seconds` from now. */
function startDeadline(request: IncomingMessage, response: ServerResponse, seconds: number, headers: HeaderSet, beforeAnswer: () => void): void {
  if (request.complete) return;
  const timer = setTimeout(function bodyTooSlow() {
    if (request.complete || response.headersSent) return;
    beforeAnswer();
    const body = JSON.stringify(new ParlorError("request_timeout", "The request body took too long to arrive").toJSON());
    response.writeHead(408, {
      ...headers,
      "cache-control": "no-store",
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(body),
      connection: "close",
    });
    response.end(body, () => request.socket.destroy());
  }, seconds * 1000);
  response.once("close", () => clearTimeout(timer));
}
