import { EventRateLimit } from "./event-rate-limit.js";

/**
 * One event bucket per user, shared by all of that user's sockets in this process, so
 * opening more sockets buys no more events. A user's bucket outlives their last socket for
 * as long as it takes to refill, so reconnecting does not refill it either.
 *
 * Hand-written rather than `rate-limiter-flexible`: that library counts fixed windows, while
 * chat needs a token bucket (`eventBurst` at once, `eventsPerSecond` after) checked
 * synchronously on every inbound event, and on the server's injectable clock.
 */
export class UserEventLimits {
  private readonly buckets = new Map<string, { limit: EventRateLimit; sockets: number; forget?: NodeJS.Timeout }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: () => number,
  ) {}

  /** The user's bucket, for a socket that just connected; call `release` when it disconnects. */
  acquire(userId: string): { limit: EventRateLimit; release: () => void } {
    let entry = this.buckets.get(userId);
    if (entry === undefined) {
      entry = { limit: new EventRateLimit(this.perSecond, this.burst, this.clock), sockets: 0 };
      this.buckets.set(userId, entry);
    }
    clearTimeout(entry.forget);
    entry.sockets += 1;
    const current = entry;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      current.sockets -= 1;
      if (current.sockets > 0) return;
      const refillMs = (this.burst / this.perSecond) * 1000;
      current.forget = setTimeout(() => {
        if (current.sockets === 0 && this.buckets.get(userId) === current) this.buckets.delete(userId);
      }, refillMs).unref();
    };
    return { limit: current.limit, release };
  }
}
