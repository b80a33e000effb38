import { Migrator, type MigrationResult } from "kysely";
import type { Database } from "./database.js";
import { migrations } from "./migrations/index.js";

/**
 * Brings the schema to the latest version. Safe to run from several processes at once:
 * Kysely takes a lock table for the duration.
 */
export async function migrateToLatest(db: Database): Promise<MigrationResult[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: "parlor_migrations",
    migrationLockTableName: "parlor_migrations_lock",
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) throw new Error("database migration failed", { cause: error });
  return results;
}
