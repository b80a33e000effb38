import { RateLimiterRes } from "rate-limiter-flexible";
import type { SharedLimits } from "../cluster/shared-limits.js";

/**
 * A user's chat events over every node, on top of each node's token bucket (user-event-limits.ts),
 * so sockets spread over several nodes buy no more events than sockets on one.
 *
 * A window of `ceil(burst / perSecond)` seconds (the time the bucket takes to refill) allowing
 * what the bucket allows over that time, `burst + perSecond × window`: the same average rate,
 * counted in Redis, which has no token bucket to offer. One Redis round trip per event that the
 * node's bucket let through. While Redis is away the count falls back to this node
 * (shared-limits.ts), where the bucket already holds.
 */
export function userEventsAcrossNodes(limits: SharedLimits, perSecond: number, burst: number): (userId: string) => Promise<boolean> {
  const duration = Math.max(1, Math.ceil(burst / perSecond));
  const limiter = limits.rate("chat-events", { points: Math.floor(burst + perSecond * duration), duration });
  return async function takeEventAcrossNodes(userId) {
    try {
      await limiter.consume(userId);
      return true;
    } catch (result) {
      if (result instanceof RateLimiterRes) return false;
      throw result;
    }
  };
}
