import { setTimeout as sleep } from "node:timers/promises";
import type { Redis, RedisOptions } from "ioredis";
import type { RedisConfig } from "../config/resolve-config.js";
import { connectionFailureReason, isDatabaseUnavailable } from "../data/database-unavailable.js";
import { loadRedis, type RedisModules } from "./load-redis.js";
import { urlWithoutPassword } from "../config/url-without-password.js";
import { RedisStartupError } from "./redis-startup-error.js";

export interface RedisLog {
  warn(message: string): void;
}

/** The connections one node keeps to Redis. A subscribed connection can do nothing else. */
export interface RedisLinks {
  modules: RedisModules;
  /** Commands and publishing: socket.io's adapter, the revocation feed, `/readyz`'s PING. */
  commands: Redis;
  /** socket.io's adapter listens here. */
  adapterEvents: Redis;
  /** The revocation feed listens here; its state says whether revocations are live. */
  revocationEvents: Redis;
  close(): Promise<void>;
}

const FIRST_RETRY_MS = 100;
const LONGEST_RETRY_MS = 2000;
/** One connection attempt at start-up, and each reconnection later, gives up after this long. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Waits until Redis answers a PING (up to `redis.startupTimeout`, retrying with backoff like
 * the database), then opens the node's connections. Fails with a one-line `RedisStartupError`:
 * at once when Redis answers but refuses the password, since waiting does not fix that.
 * After start-up the connections reconnect by themselves (backoff up to 2 s) for as long as
 * it takes; what the node does meanwhile is the revocation feed's business.
 */
export async function connectRedis(config: RedisConfig, log: RedisLog): Promise<RedisLinks> {
  const modules = await loadRedis();
  await waitForRedis(modules, config, log);
  const options: RedisOptions = {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(FIRST_RETRY_MS * 2 ** attempt, LONGEST_RETRY_MS),
  };
  const open = async ({ autoResubscribe = true } = {}) => {
    const client = new modules.Redis(config.url, { ...options, autoResubscribe });
    // Reconnection errors are reported once by the revocation feed; unheard, ioredis prints each.
    client.on("error", () => undefined);
    await client.connect();
    return client;
  };
  // The adapter counts on ioredis to subscribe again after a reconnection; the revocation feed
  // does it itself, then reloads from the database (revocation-feed.ts).
  const [commands, adapterEvents, revocationEvents] = await Promise.all([open(), open(), open({ autoResubscribe: false })]);
  return {
    modules,
    commands,
    adapterEvents,
    revocationEvents,
    async close() {
      await Promise.all([commands, adapterEvents, revocationEvents].map((client) => client.quit().catch(() => client.disconnect())));
    },
  };
}

async function waitForRedis({ Redis }: RedisModules, config: RedisConfig, log: RedisLog): Promise<void> {
  const where = urlWithoutPassword(config.url, "PARLOR_REDIS_URL");
  const deadline = Date.now() + config.startupTimeout * 1000;
  let delay = FIRST_RETRY_MS;
  let announced = false;
  for (;;) {
    const error = await tryToConnect(Redis, config.url);
    if (error === undefined) return;
    const reason = connectionFailureReason(error);
    if (isAuthFailure(error)) {
      throw new RedisStartupError("redis_auth_failed", `Redis at ${where} refused the login: ${reason}. Check the user and password in PARLOR_REDIS_URL`, {
        cause: error,
      });
    }
    if (!isDatabaseUnavailable(error)) {
      throw new RedisStartupError("redis_refused", `Redis at ${where} refused the connection: ${reason}. Check PARLOR_REDIS_URL`, { cause: error });
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new RedisStartupError(
        "redis_unreachable",
        `could not reach Redis at ${where} within ${config.startupTimeout} s: ${reason}. Check PARLOR_REDIS_URL, or wait longer with PARLOR_REDIS_STARTUP_TIMEOUT`,
        { cause: error },
      );
    }
    if (!announced) {
      log.warn(`waiting for Redis at ${where}: ${reason}; retrying for up to ${config.startupTimeout} s`);
      announced = true;
    }
    await sleep(Math.min(delay, remaining));
    delay = Math.min(delay * 2, LONGEST_RETRY_MS);
  }
}

/**
 * One connection and PING, no retries; the error, or undefined when it worked. ioredis
 * rejects `connect()` with a bare "Connection is closed." and reports the reason (ECONNREFUSED,
 * WRONGPASS…) in an `error` event just before: that one is returned.
 */
async function tryToConnect(Redis: RedisModules["Redis"], url: string): Promise<unknown> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  let reported: unknown;
  client.on("error", (error: unknown) => (reported ??= error));
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return reported ?? error;
  } finally {
    client.disconnect();
  }
}

/** NOAUTH (a password is needed), WRONGPASS (wrong user or password), or an ACL refusal. */
function isAuthFailure(error: unknown): boolean {
  return error instanceof Error && /^(NOAUTH|WRONGPASS|NOPERM)\b/.test(error.message);
}
