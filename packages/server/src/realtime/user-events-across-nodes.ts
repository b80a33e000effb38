import { RateLimiterRes } from "rate-limiter-flexible";
import type { SharedLimits } from "../limits/shared-limits.js";

/**
 * A user's chat events over every node, on top of each node's token bucket (user-event-limits.ts),
 * so sockets spread over several nodes buy no more events than sockets on one.
 *
 * Redis offers fixed windows, not a token bucket: `burst` events per `ceil(burst / perSecond)`
 * seconds (the time the bucket takes to refill), so the burst and the average rate are the
 * bucket's, over every node. It is stricter than the bucket just after a burst (nothing until
 * the window ends, where the bucket trickles `perSecond`); a client that keeps to `perSecond`
 * never notices. One Redis round trip per event that the node's bucket let through. While
 * Redis is away the count falls back to this node (limits/shared-limits.ts).
 */
export function userEventsAcrossNodes(limits: SharedLimits, perSecond: number, burst: number): (userId: string) => Promise<boolean> {
  const duration = Math.max(1, Math.ceil(burst / perSecond));
  const limiter = limits.rate("chat-events", { points: burst, duration });
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
