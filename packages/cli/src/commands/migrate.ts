import { migrateToLatest, openDatabase, resolveDatabaseConfig } from "parlor";

/** `parlor migrate`: brings the database in PARLOR_DATABASE_URL (or the data dir's SQLite) up to date. */
export async function migrateCommand(): Promise<void> {
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
}
