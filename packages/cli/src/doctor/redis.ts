import { connectRedis, urlWithoutPassword } from "parlor";
import { fail, ok, type Check } from "./check.js";

/** Redis, when PARLOR_REDIS_URL is set (several nodes): it answers and accepts the password. */
export const redisCheck: Check = {
  name: "redis",
  async run({ config }) {
    if (config.redis === null) return [ok("PARLOR_REDIS_URL is not set: one node (several need Redis and PostgreSQL)")];
    try {
      const links = await connectRedis({ ...config.redis, startupTimeout: 0 }, { warn() {} });
      await links.close();
      return [ok(`Redis at ${urlWithoutPassword(config.redis.url, "PARLOR_REDIS_URL")} (PARLOR_REDIS_URL) answers`)];
    } catch (error) {
      return [fail((error as Error).message)];
    }
  },
};
