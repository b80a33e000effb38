import type { onSendHookHandler } from "fastify";

const API_PATH = /^\/(auth|api)(\/|\?|$)/;

/**
 * `Cache-Control: no-store` on every JSON response, and on every `/auth/` and `/api/`
 * response that did not choose its own policy: sessions, threads, file metadata, signed URLs
 * and CSRF tokens are per user and must not stay in a browser's or a proxy's cache (a shared
 * computer, the back button after logout). Every JSON response rather than a list of routes:
 * nothing in the API is worth caching, and a new route cannot be forgotten. File downloads
 * (`private, no-cache`, revalidated) and the web UI (hashed assets cached for good) set
 * their own policy and keep it.
 */
export const noStore: onSendHookHandler = function noStore(request, reply, payload, done) {
  const type = reply.getHeader("content-type");
  const json = typeof type === "string" && /^application\/json\b/i.test(type);
  if (json || (API_PATH.test(request.url) && !reply.hasHeader("cache-control"))) reply.header("cache-control", "no-store");
  done(null, payload);
};
