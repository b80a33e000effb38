import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { databaseUnavailableError, isDatabaseUnavailable } from "../data/database-unavailable.js";
import { ParlorError, type ErrorCode } from "../errors.js";

/**
 * The one place where failures become HTTP responses, all in the documented shape
 * `{ error: { code, message } }`. Fastify's own errors (bad JSON, body too large, wrong
 * content type) are mapped to stable codes; a database that cannot be reached is answered
 * 503 `unavailable` (it is logged once by the pool, not per request); anything unexpected is
 * logged and answered 500 without details.
 */
export function installErrorHandlers(
  fastify: FastifyInstance,
  { notFoundFallback }: { notFoundFallback?: (request: FastifyRequest, reply: FastifyReply) => boolean } = {},
): void {
  fastify.setErrorHandler(function handleError(error: FastifyError | ParlorError, request, reply) {
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
    const code = fastifyErrorCode(error, status);
    return reply.status(status).send({ error: { code, message: error.message } });
  });

  fastify.setNotFoundHandler(function notFound(request, reply) {
    if (notFoundFallback?.(request, reply)) return;
    reply.status(404).send(new ParlorError("not_found", `No route ${request.method} ${request.url.split("?")[0]}`).toJSON());
  });
}

/**
 * Errors Fastify raises before routing (URL too long, malformed URL, bad header), which
 * skip the error handler: passed as the `frameworkErrors` server option.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode ?? 400;
  reply.status(status).send({ error: { code: fastifyErrorCode(error, status), message: error.message.slice(0, 200) } });
}

function fastifyErrorCode(error: FastifyError, status: number): ErrorCode {
  if (status === 413) return "payload_too_large";
  if (status === 415) return "unsupported_media_type";
  if (status === 429) return "rate_limited";
  if (status === 404) return "not_found";
  if (error.code?.includes("JSON")) return "invalid_json";
  return "invalid_request";
}
