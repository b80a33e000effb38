import { setTimeout as sleep } from "node:timers/promises";
import type { DatabaseConfig } from "../config/resolve-config.js";
import { ParlorConfigError } from "../errors.js";
import type { DatabaseLog } from "./database.js";
import { connectionFailureReason, isDatabaseUnavailable } from "./database-unavailable.js";
import { loadPg, type Pg } from "./load-pg.js";
import { urlWithoutPassword } from "../config/url-without-password.js";

const FIRST_RETRY_MS = 100;
const LONGEST_RETRY_MS = 2000;

/**
 * Waits until PostgreSQL accepts a connection, for up to `startupTimeout` seconds, retrying
 * with exponential backoff (0.1 s doubling to 2 s): a database started next to Parlor (Compose,
 * a rebooted host) is often a few seconds late. Says why in one log line when it has to wait.
 * Fails with a `ParlorConfigError` naming the URL (never its password) and the variable to
 * check; at once when the database answers but refuses (wrong password, no such database),
 * because waiting does not fix that. SQLite is a local file: nothing to wait for.
 *
 * A loop with a deadline is shorter than a retry library's configuration, so none is used.
 */
export async function waitForDatabase(config: DatabaseConfig, log: DatabaseLog): Promise<void> {
  if (config.dialect !== "postgres") return;
  const pg = await loadPg();
  const where = urlWithoutPassword(config.url, "PARLOR_DATABASE_URL");
  const deadline = Date.now() + config.startupTimeout * 1000;
  let delay = FIRST_RETRY_MS;
  let announced = false;
  for (;;) {
    const error = await tryToConnect(pg, config);
    if (error === undefined) return;
    const reason = connectionFailureReason(error);
    if (!isDatabaseUnavailable(error)) {
      throw new ParlorConfigError(`the database at ${where} refused the connection: ${reason}. Check PARLOR_DATABASE_URL`, { cause: error });
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new ParlorConfigError(
        `could not reach the database at ${where} within ${config.startupTimeout} s: ${reason}. Check PARLOR_DATABASE_URL, or wait longer with PARLOR_DATABASE_STARTUP_TIMEOUT`,
        { cause: error },
      );
    }
    if (!announced) {
      log.warn(`waiting for the database at ${where}: ${reason}; retrying for up to ${config.startupTimeout} s`);
      announced = true;
    }
    await sleep(Math.min(delay, remaining));
    delay = Math.min(delay * 2, LONGEST_RETRY_MS);
  }
}

/** One connection attempt, bounded by `connectTimeout`; the error, or undefined when it worked. */
async function tryToConnect(pg: Pg, config: DatabaseConfig & { dialect: "postgres" }): Promise<unknown> {
  const client = new pg.Client({ connectionString: config.url, connectionTimeoutMillis: config.connectTimeout * 1000 });
  // A connection that fails after connecting emits 'error'; unheard, that would exit the process.
  client.on("error", () => {});
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
