import type { ServerOptions } from "node:http";
import type { FastifyInstance } from "fastify";
import type { ParlorConfig } from "../config/resolve-config.js";
import { ParlorError } from "../errors.js";
import type { HeaderSet } from "./security-headers.js";

type HttpTimeouts = ParlorConfig["http"];

/**
 * Node's own limits, as Fastify server options. Node's `requestTimeout` covers a whole
 * request, body included, and cannot differ per route, so it is set to the longest allowed
 * (the upload timeout) as a backstop for every request, 404s included; the shorter limit for
 * other bodies is `enforceBodyDeadlines`. Long-polling is not affected: a polling GET has no
 * body, so it is complete before socket.io starts holding it open.
 */
export function timeoutServerOptions(http: HttpTimeouts): {
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionTimeout: number;
  http: ServerOptions;
} {
  return {
    requestTimeout: Math.max(http.requestTimeout, http.uploadTimeout) * 1000,
    keepAliveTimeout: http.keepAliveTimeout * 1000,
    // No idle timeout on sockets: a long-polling response is silent for up to 25 s by design.
    connectionTimeout: 0,
    http: {
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
 * A response sent before its body was read (401, 404, 415…) closes the connection too, so
 * the rest of a slow body is not waited for either.
 */
export function enforceBodyDeadlines(fastify: FastifyInstance, http: HttpTimeouts, headers: HeaderSet): void {
  fastify.addHook("onRequest", function startBodyDeadline(request, reply, done) {
    if (request.raw.complete) return done();
    const seconds = MULTIPART.test(request.headers["content-type"] ?? "") ? http.uploadTimeout : http.requestTimeout;
    const timer = setTimeout(function bodyTooSlow() {
      if (request.raw.complete || reply.raw.headersSent) return;
      request.log.info({ seconds }, "request body too slow: answered 408 and closed");
      // Fastify is still waiting for the body and must not answer again when it fails.
      reply.hijack();
      const body = JSON.stringify(new ParlorError("request_timeout", "The request body took too long to arrive").toJSON());
      reply.raw.writeHead(408, { ...headers, "cache-control": "no-store", "content-type": "application/json; charset=utf-8", connection: "close" });
      reply.raw.end(body, () => request.raw.socket.destroy());
    }, seconds * 1000);
    reply.raw.once("close", () => clearTimeout(timer));
    done();
  });

  fastify.addHook("onSend", function closeIfBodyUnread(request, reply, payload, done) {
    if (!request.raw.complete) reply.header("connection", "close");
    done(null, payload);
  });
}
