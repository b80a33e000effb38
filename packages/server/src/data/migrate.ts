import { Migrator, PostgresAdapter, sql, type MigrationResult } from "kysely";
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
    // On PostgreSQL, Kysely otherwise looks for its tables in every schema of the database,
    // so a second Parlor (or test) schema in the same database would find the first one's.
    ...((await currentPostgresSchema(db)) ?? {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) throw new Error("database migration failed", { cause: error });
  return results;
}

async function currentPostgresSchema(db: Database): Promise<{ migrationTableSchema: string } | null> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return null;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ? { migrationTableSchema: rows[0].schema } : null;
}
