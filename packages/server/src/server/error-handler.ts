import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { databaseUnavailableError, isDatabaseUnavailable } from "../data/database-unavailable.js";
import { ParlorError, type ErrorBody, type ErrorCode } from "../errors.js";
import { insufficientStorage, isStorageFull } from "../files/storage-full.js";
import type { HeaderSet } from "../http/security-headers.js";

/**
 * The one place where failures become HTTP responses, all in the documented shape
 * `{ error: { code, message } }`. Fastify's own errors (bad JSON, body too large, wrong
 * content type) are mapped to stable codes; a full storage is logged and answered 507; a
 * database that cannot be reached is answered 503 `unavailable` (it is logged once by the
 * pool, not per request); anything unexpected is logged and answered 500 without details.
 */
export function installErrorHandlers(
  fastify: FastifyInstance,
  { notFoundFallback }: { notFoundFallback?: (request: FastifyRequest, reply: FastifyReply) => boolean } = {},
): void {
  fastify.setErrorHandler(function handleError(error: FastifyError | ParlorError, request, reply) {
    if (isStorageFull(error)) {
      // A full disk or bucket (database or files): its own code, and logged for operators.
      request.log.error({ err: error }, "storage full");
      return reply.status(507).send(insufficientStorage(error).toJSON());
    }
    if (error instanceof ParlorError) {
      return reply.status(error.status).headers(error.headers).send(error.toJSON());
    }
    const status = error.statusCode ?? 500;
    if (status >= 500 && isDatabaseUnavailable(error)) {
      const unavailable = databaseUnavailableError(error);
      return reply.status(unavailable.status).headers(unavailable.headers).send(unavailable.toJSON());
    }
    if (status >= 500) {
      request.log.error({ err: error }, "request failed");
      return reply.status(500).send(new ParlorError("internal", "Internal server error").toJSON());
    }
    return reply.status(status).send(fastifyErrorBody(error, status));
  });

  fastify.setNotFoundHandler(function notFound(request, reply) {
    if (notFoundFallback?.(request, reply)) return;
    // Never the path itself: a reflected string is one step from reflected markup.
    reply.status(404).send(new ParlorError("not_found", "No such route").toJSON());
  });
}

/**
 * Errors Fastify raises before routing (URL too long, malformed URL, bad header), which
 * skip the error handler and every hook, the security headers' included: passed as the `frameworkErrors`
 * server option, so these responses carry the security headers themselves.
 */
export function frameworkErrors(headers: HeaderSet) {
  return function replyToFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    const status = error.statusCode ?? 400;
    reply.headers({ ...headers, "cache-control": "no-store" });
    if (status >= 500) {
      request.log.error({ err: error }, "request failed before routing");
      reply.status(500).send(new ParlorError("internal", "Internal server error").toJSON());
      return;
    }
    reply.status(status).send(fastifyErrorBody(error, status));
  };
}

/**
 * Errors of Node's HTTP parser, before Fastify sees a request: headers too large (431),
 * headers or body too slow (408), unparsable request (400). Answered like Fastify's default
 * handler does (one response written on the socket, then closed), in Parlor's error shape
 * and with the security headers.
 */
export function clientErrorHandler(headers: HeaderSet) {
  return function answerClientError(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
    if (error.code === "ECONNRESET" || socket.destroyed) return;
    this.log.debug({ err: error }, "client error");
    const [status, body] = clientErrorResponse(error.code);
    if (socket.writable) {
      const json = JSON.stringify(body);
      const lines = Object.entries({
        ...headers,
        "cache-control": "no-store",
        "content-type": "application/json; charset=utf-8",
        "content-length": String(Buffer.byteLength(json)),
        connection: "close",
      }).map(([name, value]) => `${name}: ${value}\r\n`);
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join("")}\r\n${json}`);
    }
    socket.destroy();
  };
}

function clientErrorResponse(code: string | undefined): [number, ErrorBody] {
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return [408, new ParlorError("request_timeout", "The request took too long to arrive").toJSON()];
  if (code === "HPE_HEADER_OVERFLOW") return [431, new ParlorError("invalid_request", "Request headers or URL too large").toJSON()];
  return [400, new ParlorError("invalid_request", "Malformed HTTP request").toJSON()];
}

/**
 * Fastify's 4xx errors with a stable code and a fixed message: some of Fastify's own messages
 * quote the request (the URL of a malformed path, the content type), which must not be echoed.
 */
function fastifyErrorBody(error: FastifyError, status: number): ErrorBody {
  const code = fastifyErrorCode(error, status);
  return { error: { code, message: fastifyErrorMessages[error.code] ?? error.message.slice(0, 200) } };
}

const fastifyErrorMessages: Partial<Record<string, string>> = {
  FST_ERR_BAD_URL: "Malformed URL",
  FST_ERR_MAX_PARAM_LENGTH: "URL parameter too long",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "Unsupported content type: send JSON (or form-encoded data where accepted)",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "Content-Length does not match the body",
};

function fastifyErrorCode(error: FastifyError, status: number): ErrorCode {
  if (status === 413) return "payload_too_large";
  if (status === 415) return "unsupported_media_type";
  if (status === 429) return "rate_limited";
  if (status === 404) return "not_found";
  if (error.code?.includes("JSON")) return "invalid_json";
  return "invalid_request";
}
