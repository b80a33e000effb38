import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";
import { NodeCountsInRedis } from "./node-counts-in-redis.js";

/** A fixed-window rate: `points` per `duration` seconds per key. */
export interface RateOptions {
  points: number;
  duration: number;
}

/**
 * Counts of things open right now (sockets, running replies), per key, over every node. The
 * caller keeps its own count for this process and checks it first; this adds the other nodes.
 */
export interface NodeCounts {
  /** One more for `key` on this node, if the total over every node stays within `limit`. */
  add(key: string, limit: number): Promise<boolean>;
  /** Gives back one `add` that answered `true`. */
  remove(key: string): void;
}

/** Where the limits of this process count: in memory (one node), or in Redis (several). */
export interface SharedLimits {
  /** Whether the counts include the other nodes (Redis), or this process only. */
  readonly acrossNodes: boolean;
  /** A `rate-limiter-flexible` limiter; `name` keeps its keys apart from the other limits'. */
  rate(name: string, options: RateOptions): RateLimiterAbstract;
  /** The counts called `name`. */
  counts(name: string): NodeCounts;
  /** Stops the heartbeat and tells the other nodes this one's counts are gone. */
  stop(): Promise<void>;
}

/** Alone, a process's own counts are the whole truth: nothing more to check. */
const thisProcessOnly: NodeCounts = {
  add: () => Promise.resolve(true),
  remove: () => undefined,
};

/**
 * The one place that decides where every limit counts: in Redis under the cluster's prefix
 * when one is given (every node sees the same counters, whichever node a request lands on),
 * else in this process's memory, as a single node always did.
 *
 * While Redis is away, each rate limit falls back at once (`rejectIfRedisNotReady`) to a
 * `RateLimiterMemory` of the same size in this node (`insuranceLimiter`): a limit then holds
 * per node, never open wide and never closed to everyone (refusing every login because a cache
 * is down would turn a Redis outage into a full outage). The counts do the same
 * (node-counts-in-redis.ts): each node keeps enforcing its own count alone.
 */
export function sharedLimits(redis: { client: Redis; prefix: string } | null): SharedLimits {
  if (redis === null) {
    return {
      acrossNodes: false,
      rate: (name, options) => new RateLimiterMemory({ keyPrefix: name, ...options }),
      counts: () => thisProcessOnly,
      stop: () => Promise.resolve(),
    };
  }
  const { client, prefix } = redis;
  const nodes = new NodeCountsInRedis(client, `${prefix}limits:`, randomUUID());
  return {
    acrossNodes: true,
    rate: (name, options) =>
      new RateLimiterRedis({
        storeClient: client,
        keyPrefix: `${prefix}limits:${name}`,
        ...options,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, ...options }),
      }),
    counts: (name) => nodes.counts(name),
    stop: () => nodes.stop(),
  };
}
