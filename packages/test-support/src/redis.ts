import { randomBytes } from "node:crypto";
import { connect } from "node:net";

/**
 * The Redis the several-nodes suites run against: `PARLOR_TEST_REDIS_URL`, default the
 * machine's own at redis://127.0.0.1:6379. Suites never share its data: each run uses its own
 * prefix (`redisTestPrefix`) for every channel and key.
 */
export const redisTestUrl = process.env.PARLOR_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A prefix no other test run uses, for `PARLOR_REDIS_PREFIX`. */
export function redisTestPrefix(): string {
  return `parlor-test:${Date.now().toString(36)}-${randomBytes(4).toString("hex")}:`;
}

/**
 * Whether the Redis suites can run: Redis answers a PING. Under `CI` an unreachable Redis
 * throws instead, so CI fails rather than skipping them (like PostgreSQL, see databases.ts).
 */
export async function redisIsAvailable(url = redisTestUrl): Promise<boolean> {
  const answered = await ping(new URL(url));
  if (!answered && process.env.CI) throw new Error(`CI must run the Redis suites: no Redis answers at ${url} (set PARLOR_TEST_REDIS_URL)`);
  return answered;
}

/** One RESP PING over a raw socket: the test kit needs no Redis client for this. */
function ping(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port || 6379), url.hostname);
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}
