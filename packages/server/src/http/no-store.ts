import type { FastifyReply, FastifyRequest } from "fastify";

const API_PATH = /^\/(auth|api)(\/|\?|$)/;
const JSON_TYPE = /^application\/json\b/i;

/**
 * `Cache-Control: no-store` on every JSON response, and on every `/auth/` and `/api/`
 * response that did not choose its own policy: sessions, threads, file metadata, signed URLs
 * and CSRF tokens are per user and must not stay in a browser's or a proxy's cache (a shared
 * computer, the back button after logout). Every JSON response rather than a list of routes:
 * nothing in the API is worth caching, and a new route cannot be forgotten. File downloads
 * (`private, no-cache`, revalidated) and the web UI (hashed assets cached for good) set
 * their own policy and keep it. An `onSend` step (see combine-hooks.ts).
 */
export function noStore(request: FastifyRequest, reply: FastifyReply): void {
  const type = reply.getHeader("content-type");
  const json = typeof type === "string" && JSON_TYPE.test(type);
  if (json || (API_PATH.test(request.url) && !reply.hasHeader("cache-control"))) reply.header("cache-control", "no-store");
}
