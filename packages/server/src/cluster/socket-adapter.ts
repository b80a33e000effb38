import type { Redis } from "ioredis";
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
  return links.modules.createAdapter(forgivingPublisher(links.commands), links.adapterEvents, {
    key: `${prefix}socket.io`,
    requestsTimeout: NODE_REQUEST_TIMEOUT_MS,
  });
}

/**
 * The command connection as the adapter sees it. The adapter neither awaits nor catches its
 * `publish` calls, nor the PUBSUB NUMSUB behind `serverSideEmit`; while Redis is away, ioredis
 * rejects queued commands once its retries run out, and an unhandled rejection ends the
 * process. Here such a failure means "nobody heard": the event is lost (clients resume from
 * the database) and no other node is counted (a resume shows the stored text).
 */
function forgivingPublisher(client: Redis): Redis {
  return new Proxy(client, {
    get(target, property) {
      if (property === "publish") {
        return (channel: string, message: string) => target.publish(channel, message).catch(() => 0);
      }
      if (property === "send_command") {
        return (command: string, args: string[], callback: (error: Error | null, result: unknown) => void) =>
          void target.call(command, ...args).then(
            (result) => callback(null, result),
            // NUMSUB's answer shape: [channel, subscribers].
            () => callback(null, [args[1], 0]),
          );
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
