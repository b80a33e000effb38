import type { FastifyBaseLogger } from "fastify";
import type { SessionService } from "../auth/session-service.js";
import type { RedisConfig } from "../config/resolve-config.js";
import { connectRedis } from "./connect-redis.js";
import { RevocationFeed } from "./revocation-feed.js";
import { sharedLimits, type SharedLimits } from "../limits/shared-limits.js";
import { redisSocketAdapter } from "./socket-adapter.js";

/** This node's part in a cluster of nodes sharing Redis: what the server wires in. */
export interface Cluster {
  /** socket.io's Redis adapter (socket-adapter.ts). */
  socketAdapter: ReturnType<typeof redisSocketAdapter>;
  /** Whether the command connection is up: questions to other nodes are worth asking. */
  isConnected: () => boolean;
  /** For `/readyz`: PING, failing at once while disconnected. */
  ping: () => Promise<unknown>;
  /** Whether revocations from the other nodes are heard live (else session rows are read). */
  isLive: () => boolean;
  /** The rate limits and counts, in Redis under the prefix (limits/shared-limits.ts). */
  limits: SharedLimits;
  leave: () => Promise<void>;
}

/**
 * Connects this node to Redis (failing start-up with a `RedisStartupError` when it cannot) and
 * starts hearing the other nodes' revocations. Called once the sessions are loaded.
 */
export async function joinCluster(config: RedisConfig, sessions: SessionService, log: FastifyBaseLogger): Promise<Cluster> {
  const links = await connectRedis(config, log);
  const feed = new RevocationFeed({ publisher: links.commands, subscriber: links.revocationEvents, channel: `${config.prefix}revocations`, sessions, log });
  try {
    await feed.start();
  } catch (error) {
    feed.stop();
    await links.close();
    throw error;
  }
  const isConnected = () => links.commands.status === "ready";
  const limits = sharedLimits({ client: links.commands, prefix: config.prefix });
  return {
    socketAdapter: redisSocketAdapter(links, config.prefix),
    isConnected,
    // Not queued while disconnected (ioredis would hold it until the probe's timeout).
    ping: () => (isConnected() ? links.commands.ping() : Promise.reject(new Error("disconnected from Redis"))),
    isLive: () => feed.isLive,
    limits,
    async leave() {
      feed.stop();
      await limits.stop();
      await links.close();
    },
  };
}
