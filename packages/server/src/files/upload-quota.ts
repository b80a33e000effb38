import type { FastifyReply, FastifyRequest } from "fastify";
import { RateLimiterRes } from "rate-limiter-flexible";
import type { SharedLimits } from "../limits/shared-limits.js";
import { ParlorError } from "../errors.js";

export interface UploadQuotaOptions {
  uploadsPerMinute: number;
  maxUnattached: number;
  limits: SharedLimits;
  /** The user's stored uploads not attached to a message yet. */
  countUnattached: (userId: string) => Promise<number>;
}

/**
 * A `preHandler` for `POST /api/files`: refuses an upload with 429 `rate_limited` before a
 * byte of it is read or stored when the user is over `uploadsPerMinute` (every attempt
 * counts, with `Retry-After`), or already holds `maxUnattached` uploads that no message uses.
 *
 * Uploads still streaming are counted as unattached too, and one user's checks run one at
 * a time, so a burst of parallel requests cannot all pass the database count before any of
 * them is stored. The rate is counted in `limits` (in Redis for every node with several).
 * The unattached uploads are counted in the database, which every node shares; uploads still
 * streaming and the one-at-a-time order are this node's only, so parallel uploads spread
 * over several nodes can pass the cap by the number of nodes, minus one, at most per burst.
 */
export function uploadQuota({ uploadsPerMinute, maxUnattached, limits, countUnattached }: UploadQuotaOptions) {
  const rate = limits.rate("upload-user", { points: uploadsPerMinute, duration: 60 });
  const inFlight = new Map<string, number>();
  const queues = new Map<string, Promise<void>>();
  /** Runs `check` after the user's previous checks have settled. */
  const oneAtATime = async (userId: string, check: () => Promise<void>) => {
    const previous = queues.get(userId) ?? Promise.resolve();
    const current = previous.then(check);
    const settled = current.then(
      () => undefined,
      () => undefined,
    );
    queues.set(userId, settled);
    try {
      await current;
    } finally {
      if (queues.get(userId) === settled) queues.delete(userId);
    }
  };
  const track = (userId: string, by: number) => {
    const count = (inFlight.get(userId) ?? 0) + by;
    if (count <= 0) inFlight.delete(userId);
    else inFlight.set(userId, count);
  };

  return async function checkUploadQuota(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const userId = request.session!.userId;
    try {
      await rate.consume(userId);
    } catch (result) {
      if (!(result instanceof RateLimiterRes)) throw result;
      const retryAfter = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
      throw new ParlorError("rate_limited", `Too many uploads. Try again in ${retryAfter} seconds.`, {
        headers: { "retry-after": String(retryAfter) },
      });
    }

    // Until its response closes, an accepted upload counts; by then its row is stored or it failed.
    let tracked = false;
    let closed = false;
    reply.raw.once("close", () => {
      closed = true;
      if (tracked) track(userId, -1);
    });
    await oneAtATime(userId, async () => {
      const unattached = (await countUnattached(userId)) + (inFlight.get(userId) ?? 0);
      if (unattached >= maxUnattached) {
        throw new ParlorError("rate_limited", `At most ${maxUnattached} uploads may wait unattached. Send them with a message first.`);
      }
      if (closed) return;
      track(userId, 1);
      tracked = true;
    });
  };
}
