import type { Redis } from "ioredis";
import type { createAdapter } from "@socket.io/redis-adapter";
import { importOptional } from "../config/optional-dependency.js";

export interface RedisModules {
  Redis: typeof Redis;
  createAdapter: typeof createAdapter;
}

/**
 * The Redis client and socket.io's Redis adapter, loaded only when `PARLOR_REDIS_URL` is set:
 * optional peer dependencies of `parlor`, like `pg`, so a single node does not install them.
 *
 * ioredis rather than node-redis: it reconnects by itself with a backoff and says so in
 * events (`close`, `reconnecting`, `ready`), which is what the revocation feed needs to know
 * when to fall back to the database and when to reload; and the adapter supports it as a
 * first-class client. node-redis would do too, with more code around reconnections.
 */
export async function loadRedis(): Promise<RedisModules> {
  const feature = { feature: "Several nodes (PARLOR_REDIS_URL)", packages: ["ioredis", "@socket.io/redis-adapter"] };
  const [ioredis, adapter] = await Promise.all([
    importOptional(() => import("ioredis"), feature),
    importOptional(() => import("@socket.io/redis-adapter"), feature),
  ]);
  return { Redis: ioredis.Redis, createAdapter: adapter.createAdapter };
}
