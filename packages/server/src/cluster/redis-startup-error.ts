import { ParlorConfigError } from "../errors.js";

/**
 * Why Redis could not be used at start-up: `redis_unreachable` (nothing answered within
 * `redis.startupTimeout`), `redis_auth_failed` (it answered and refused the user or password:
 * waiting does not fix that, so it fails at once) or `redis_refused` (it answered with another
 * error, e.g. a database number it does not have).
 */
export type RedisStartupErrorCode = "redis_unreachable" | "redis_auth_failed" | "redis_refused";

/**
 * Start-up failed on Redis; the message is one line naming the URL (never its password).
 * A `ParlorConfigError` (its `name` too), so the CLI reports it like any other start-up
 * mistake; callers tell the cases apart by `code`.
 */
export class RedisStartupError extends ParlorConfigError {
  constructor(
    readonly code: RedisStartupErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
