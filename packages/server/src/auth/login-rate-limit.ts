import type { FastifyInstance, FastifyRequest } from "fastify";
import { ParlorError } from "../errors.js";

export interface LoginRateLimitOptions {
  max: number;
  /** Seconds. */
  window: number;
}

/**
 * Counts login attempts per client IP and per username (two limits, both must pass) in
 * `@fastify/rate-limit`'s store: in memory for one process; several nodes share counters
 * once that store is Redis.
 * Every attempt counts, successful or not: counting only failures would let a burst of
 * parallel guesses through before the first failure is recorded.
 */
export function loginRateLimiter(fastify: FastifyInstance, options: LoginRateLimitOptions) {
  const common = { max: options.max, timeWindow: options.window * 1000 };
  const byIp = fastify.createRateLimit({ ...common, keyGenerator: (request) => `login-ip:${request.ip}` });
  const byUsername = fastify.createRateLimit({
    ...common,
    keyGenerator: (request) => `login-user:${usernameKey(request)}`,
  });

  return async function checkLoginRateLimit(request: FastifyRequest): Promise<void> {
    for (const limit of [await byIp(request), await byUsername(request)]) {
      if (!limit.isAllowed && limit.isExceeded) {
        const retryAfter = Math.max(1, limit.ttlInSeconds);
        throw new ParlorError("rate_limited", `Too many login attempts. Try again in ${retryAfter} seconds.`, {
          headers: { "retry-after": String(retryAfter) },
        });
      }
    }
  };
}

function usernameKey(request: FastifyRequest): string {
  const body = request.body as { username?: unknown } | undefined;
  return typeof body?.username === "string" ? body.username.trim().toLowerCase() : "";
}
