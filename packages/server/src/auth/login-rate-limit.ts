import { setTimeout as sleep } from "node:timers/promises";
import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { SharedLimits } from "../limits/shared-limits.js";
import { ParlorError } from "../errors.js";

export interface LoginRateLimitOptions {
  /** Attempts per window from one address, and failures per window at one username from one address. */
  max: number;
  /** Seconds. */
  window: number;
  /** Failures at one username, from any address, after which each attempt at it is slowed. */
  slowdownAfter: number;
  /** Seconds: the longest an attempt is slowed. 0 turns the slowdown off. */
  maxDelay: number;
}

/** The first slowed attempt waits this long; each further failure doubles it, up to `maxDelay`. */
const BASE_DELAY_MS = 100;

/**
 * Guards password logins with three counters (`rate-limiter-flexible`, from `limits`: in
 * memory for one process, in Redis shared by every node with several, so ten failures spread
 * over the nodes are ten failures; while Redis is away each node keeps counting in memory):
 *
 * - every attempt per client address: one address cannot spray many usernames;
 * - failures per username + address: the hard block (429) hits the guessing address only;
 * - failures per username from any address: attempts are slowed, never refused, so an
 *   attacker can never lock the owner out of their account from a fresh address.
 *
 * Failures are reserved before the app's callback runs and refunded when it accepts the
 * password: counting only after the callback would let a burst of parallel guesses through.
 * An attempt refused by an earlier counter counts against none of the later ones.
 *
 * `refundSuccess` gives a successful attempt back to the address counter too, for the widget's
 * token exchange (auth/embed/token-routes.ts): a page view there is one exchange, so a shopper
 * would hit the limit after a few pages, and a valid host token cannot be guessed anyway.
 * `name` keeps the two sets of counters apart.
 */
export function loginRateLimiter(
  limits: SharedLimits,
  name: "login" | "embed-token",
  options: LoginRateLimitOptions,
  { refundSuccess = false }: { refundSuccess?: boolean } = {},
) {
  const duration = options.window;
  const attemptsByAddress = limits.rate(`${name}-address`, { points: options.max, duration });
  const failuresByUserAtAddress = limits.rate(`${name}-user-address`, { points: options.max, duration });
  // Only counts: this limiter never refuses.
  const failuresByUser = limits.rate(`${name}-user`, { points: Number.MAX_SAFE_INTEGER, duration });

  /** Runs `attempt` (the app's password check) if the limits allow it; `null` is a failure. */
  return async function limitLoginAttempt<T>(address: string, username: string, attempt: () => Promise<T | null>): Promise<T | null> {
    await consumeOrRefuse(attemptsByAddress, address);
    const user = username.trim().toLowerCase();
    const userAtAddress = JSON.stringify([user, address]);
    await consumeOrRefuse(failuresByUserAtAddress, userAtAddress);
    const { consumedPoints } = await failuresByUser.consume(user);
    const wait = slowdown(consumedPoints - 1);
    if (wait > 0) await sleep(wait);
    // An exception from the app's callback stays counted as a failure.
    const result = await attempt();
    if (result !== null && result !== undefined) {
      if (refundSuccess) await attemptsByAddress.reward(address);
      await failuresByUserAtAddress.delete(userAtAddress);
      await failuresByUser.reward(user);
    }
    return result;
  };

  /** Milliseconds to wait when `failures` earlier attempts at the username failed (or are in flight). */
  function slowdown(failures: number): number {
    const over = failures - options.slowdownAfter;
    if (over < 0 || options.maxDelay === 0) return 0;
    return Math.min(BASE_DELAY_MS * 2 ** Math.min(over, 20), options.maxDelay * 1000);
  }
}

async function consumeOrRefuse(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new ParlorError("rate_limited", `Too many login attempts. Try again in ${retryAfter} seconds.`, {
      headers: { "retry-after": String(retryAfter) },
    });
  }
}
