import type { RedisLinks } from "./connect-redis.js";

/** How long a request to the other nodes (`serverSideEmit` with an answer, `fetchSockets`) waits. */
export const NODE_REQUEST_TIMEOUT_MS = 1000;

/**
 * socket.io's adapter for several nodes: an emit to a room (a user's tabs), a
 * `disconnectSockets` of a session's room, and `serverSideEmit` reach the sockets and servers
 * of every node through Redis.
 *
 * The pub/sub adapter, not the streams adapter: a reply sends one event per streamed chunk,
 * and the streams adapter appends every event to a Redis stream that each node reads back
 * (stored, trimmed, polled), to replay what a node missed during a short disconnection.
 * Parlor does not need that replay: a client that missed events resumes the thread from the
 * database (`thread:resume`), so pub/sub (nothing stored, lowest latency) is enough.
 */
export function redisSocketAdapter(links: RedisLinks, prefix: string) {
  return links.modules.createAdapter(links.commands, links.adapterEvents, { key: `${prefix}socket.io`, requestsTimeout: NODE_REQUEST_TIMEOUT_MS });
}
