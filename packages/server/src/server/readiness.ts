import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import type { Database } from "../data/database.js";
import type { FileStorage } from "../files/file-storage.js";

/** How each part answered: `ok`, or why it is not usable. Never an address or an error text. */
export type ReadinessCheckResult = "ok" | "unreachable" | "timeout";

/**
 * The body of `GET /readyz`. `ready` (200) when every part answers; otherwise 503 and:
 * `draining` once shutdown started, `unavailable` when the database or the file storage
 * fails, `degraded` when only Redis does (the node still serves correctly, checking session
 * rows on every request, but chat events no longer reach the other nodes).
 */
export interface ReadinessBody {
  status: "ready" | "degraded" | "unavailable" | "draining";
  checks: { database: ReadinessCheckResult; files: ReadinessCheckResult; redis?: ReadinessCheckResult };
}

export interface ReadinessOptions {
  db: Database;
  storage: FileStorage;
  /** With several nodes: PING on the command connection, and whether revocations are heard live. */
  redis?: { ping: () => Promise<unknown>; isLive: () => boolean } | undefined;
  isDraining: () => boolean;
}

/** A probe that takes longer counts as failed: a load balancer's own timeout is often 2–5 s. */
const CHECK_TIMEOUT_MS = 2000;

/**
 * `GET /readyz`: whether this node should get traffic. Unlike `/healthz` (the process is
 * alive), it checks what a request needs: the database, the file storage and, with several
 * nodes, Redis. Answered whatever the Host, like `/healthz` (http/allowed-hosts.ts); the body
 * names failing parts only, and the log says why.
 */
export async function readiness(fastify: FastifyInstance, options: ReadinessOptions): Promise<void> {
  const { db, storage, redis, isDraining } = options;
  const run = async (name: string, check: () => Promise<unknown>): Promise<ReadinessCheckResult> => {
    const result = await withTimeout(check());
    if (result === "ok") return "ok";
    if (result === "timeout") {
      fastify.log.warn(`readiness: ${name} did not answer within ${CHECK_TIMEOUT_MS} ms`);
      return "timeout";
    }
    fastify.log.warn({ err: result.error }, `readiness: ${name} failed`);
    return "unreachable";
  };

  fastify.get("/readyz", { config: { auth: "optional" } }, async (_request, reply) => {
    const [database, files, redisCheck] = await Promise.all([
      run("database", () => sql`select 1`.execute(db)),
      run("file storage", () => storage.check?.() ?? Promise.resolve()),
      redis === undefined
        ? undefined
        : run("redis", async () => {
            // The feed's own connection notices a loss first (a PING would wait for its timeout).
            if (!redis.isLive()) throw new Error("not listening to revocations (checking session rows meanwhile)");
            await redis.ping();
          }),
    ]);
    const checks = { database, files, ...(redisCheck === undefined ? {} : { redis: redisCheck }) };
    let status: ReadinessBody["status"] = "ready";
    if (isDraining()) status = "draining";
    else if (database !== "ok" || files !== "ok") status = "unavailable";
    else if (redisCheck !== undefined && redisCheck !== "ok") status = "degraded";
    const body: ReadinessBody = { status, checks };
    return reply.code(status === "ready" ? 200 : 503).send(body);
  });
}

/** `ok`, the error, or `timeout` after CHECK_TIMEOUT_MS. */
async function withTimeout(promise: Promise<unknown>): Promise<"ok" | "timeout" | { error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), CHECK_TIMEOUT_MS)));
  try {
    return await Promise.race([
      promise.then(
        () => "ok" as const,
        (error: unknown) => ({ error }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
