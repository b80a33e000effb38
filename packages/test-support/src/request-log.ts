import type { ParlorServer } from "parlor";

/** A request as the server saw it: what the client really sent, and the answer. */
export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  path: string;
  status: number;
  /** `error.code` of a JSON error answer. */
  errorCode: string | undefined;
  /** Whether a `Cookie` header came along. */
  cookie: boolean;
  /** Whether the `Cookie` header carried the session cookie. */
  sentSessionCookie: boolean;
  /** Whether the request carried an `X-CSRF-Token` header. */
  csrfHeader: boolean;
  origin: string | undefined;
  referer: string | undefined;
  secFetchSite: string | undefined;
}

/** Appends every HTTP request `server` answers to `into` (socket.io's own never reach Fastify's hooks). */
export function recordRequests(server: ParlorServer, into: RecordedRequest[]): void {
  const cookieName = server.config.cookie.name;
  const errorCodes = new WeakMap<object, string>();
  server.fastify.addHook("onSend", async (request, reply, payload) => {
    if (reply.statusCode >= 400 && typeof payload === "string") {
      try {
        const code = JSON.parse(payload)?.error?.code;
        if (typeof code === "string") errorCodes.set(request, code);
      } catch {
        // not JSON
      }
    }
    return payload;
  });
  // onResponse, not onRequest: a request refused by an earlier onRequest hook (401, 403)
  // skips the later onRequest hooks, but every request gets a response.
  server.fastify.addHook("onResponse", async (request, reply) => {
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(", ") : value;
    };
    into.push({
      method: request.method,
      url: request.url,
      path: request.url.split("?")[0]!,
      status: reply.statusCode,
      errorCode: errorCodes.get(request),
      cookie: request.headers.cookie !== undefined,
      sentSessionCookie: (header("cookie") ?? "").includes(`${cookieName}=`),
      csrfHeader: request.headers["x-csrf-token"] !== undefined,
      origin: header("origin"),
      referer: header("referer"),
      secFetchSite: header("sec-fetch-site"),
    });
  });
}
