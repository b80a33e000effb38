import { parseArgs } from "node:util";
import { migrateToLatest, openDatabase, resolveDatabaseConfig } from "parlor";
import type { Command } from "../command.js";
import { withUsageHelp } from "../parse-options.js";

/** `parlor migrate`: brings the database in PARLOR_DATABASE_URL (or the data dir's SQLite) up to date. */
export const migrateCommand: Command = {
  name: "migrate",
  summary: "bring the database schema up to date",
  help: `Usage: parlor migrate

Brings the database schema up to date: PostgreSQL at PARLOR_DATABASE_URL, or else the SQLite
file in PARLOR_DATA_DIR (default .parlor). \`parlor run\` does this at start too; run it
yourself to migrate before a deployment switches over.
`,
  async run(args) {
    withUsageHelp("migrate", () => parseArgs({ args, strict: true }));
    const config = resolveDatabaseConfig(process.env);
    const db = await openDatabase(config);
    try {
      const results = await migrateToLatest(db);
      const applied = results.filter((result) => result.status === "Success").map((result) => result.migrationName);
      const where = config.dialect === "sqlite" ? config.file : "PostgreSQL";
      process.stdout.write(applied.length ? `Applied ${applied.join(", ")} to ${where}\n` : `${where} is up to date\n`);
    } finally {
      await db.destroy();
    }
  },
};
