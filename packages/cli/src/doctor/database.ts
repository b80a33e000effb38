import { urlWithoutPassword, waitForDatabase } from "parlor";
import { fail, ok, warn, type Check, type DoctorContext } from "./check.js";
import { cannotWrite } from "./writable-folder.js";

/**
 * The database answers: PostgreSQL accepts a connection (one try, as `parlor run` with
 * PARLOR_DATABASE_STARTUP_TIMEOUT=0), or the SQLite file can be written. Names the URL
 * (never its password) and the setting it came from.
 */
export const databaseCheck: Check = {
  name: "database",
  async run(context) {
    const { config } = context;
    const database = config.database;
    const from = source(context);
    if (database.dialect === "postgres") {
      const where = `PostgreSQL at ${urlWithoutPassword(database.url, "PARLOR_DATABASE_URL")} (from ${from})`;
      try {
        await waitForDatabase({ ...database, startupTimeout: 0 }, { warn() {}, info() {} });
        return [ok(`${where} accepts connections`)];
      } catch (error) {
        return [fail(`${(error as Error).message}`)];
      }
    }
    const where = `SQLite at ${database.file} (from ${from})`;
    const problem = await cannotWrite(database.file);
    if (problem !== null) return [fail(`${where}: ${problem}; set PARLOR_DATA_DIR to a writable folder`)];
    if (config.production) return [warn(`${where}: fine on one node with a backed-up disk; several nodes need PostgreSQL (PARLOR_DATABASE_URL)`)];
    return [ok(`${where} is writable`)];
  },
};

function source({ env, app }: DoctorContext): string {
  if (env.PARLOR_DATABASE_URL) return "PARLOR_DATABASE_URL";
  if (app.server?.databaseUrl) return "the app's server.databaseUrl";
  return env.PARLOR_DATA_DIR ? "PARLOR_DATA_DIR" : "the default data folder .parlor";
}
