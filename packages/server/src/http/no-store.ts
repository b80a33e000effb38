import type { onSendHookHandler } from "fastify";

/**
 * `Cache-Control: no-store` on every JSON response and on everything under `/auth/`:
 * threads, sessions, file metadata, signed URLs and CSRF tokens are per user and must not
 * stay in a browser's or a proxy's cache (a shared computer, a back button after logout).
 * Every JSON response rather than a list of routes: nothing in the API is worth caching, and
 * a new route cannot be forgotten. File downloads (`private, no-cache`, revalidated) and the
 * web UI's assets (cached for good when hashed) are not JSON and keep their own policy.
 */
export const noStore: onSendHookHandler = function noStore(request, reply, payload, done) {
  const type = reply.getHeader("content-type");
  const json = typeof type === "string" && /^application\/json\b/i.test(type);
  if (json || /^\/auth(\/|\?|$)/.test(request.url)) reply.header("cache-control", "no-store");
  done(null, payload);
};
