import { PostgresAdapter, sql, type Kysely, type Migration } from "kysely";

/**
 * Users become unique per login method and identifier (`auth_method`, `identifier`) instead
 * of per identifier: before, a password user named `corp:<sub>` and provider `corp`'s user
 * `<sub>` were one row, and either could log in as the other.
 *
 * Existing rows keep their id (and so their sessions, threads and files) and get the method
 * `legacy`: which login made them is not recorded anywhere. Each is claimed by its next
 * login, with the rule in `mayClaimLegacyRow` (data/user-store.ts).
 *
 * No `down`: afterwards two users may share an identifier, which the old schema cannot hold.
 */
export const userIdentities: Migration = {
  async up(db: Kysely<unknown>) {
    if (db.getExecutor().adapter instanceof PostgresAdapter) await migratePostgres(db);
    else await migrateSqlite(db);
  },
};

async function migratePostgres(db: Kysely<unknown>) {
  // The default fills the existing rows; then it goes, so every new row must name its method.
  await db.schema
    .alterTable("users")
    .addColumn("auth_method", "varchar(64)", (c) => c.notNull().defaultTo("legacy"))
    .execute();
  await db.schema
    .alterTable("users")
    .alterColumn("auth_method", (c) => c.dropDefault())
    .execute();
  // The name PostgreSQL gave the column's UNIQUE in 0001.
  await db.schema.alterTable("users").dropConstraint("users_identifier_key").execute();
  await db.schema.createIndex("users_identity").unique().on("users").columns(["auth_method", "identifier"]).execute();
}

/** The column as migration 0001 declared it, in the table definition SQLite keeps. */
const UNIQUE_IDENTIFIER = `"identifier" varchar(255) not null unique`;

/**
 * SQLite cannot drop a column's UNIQUE constraint: the table is rebuilt (SQLite's documented
 * "12 steps"), from its own stored definition so that columns and indexes added by other
 * migrations survive. Foreign keys are off meanwhile, or dropping the old table would cascade
 * to every session, thread and file; `foreign_key_check` proves nothing dangles before commit.
 * Kysely runs SQLite migrations outside a transaction, which is what lets the pragma work.
 */
async function migrateSqlite(db: Kysely<unknown>) {
  const stored = await sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'`.execute(db);
  const definition = stored.rows[0]?.sql ?? "";
  if (!definition.startsWith(`CREATE TABLE "users" (`) || !definition.includes(UNIQUE_IDENTIFIER)) {
    throw new Error("the users table is not as migration 0001 created it; refusing to rebuild it");
  }
  const rebuilt = definition
    .replace(`CREATE TABLE "users" (`, `CREATE TABLE "users_new" (`)
    .replace(UNIQUE_IDENTIFIER, `"identifier" varchar(255) not null`)
    .replace(/\)$/, `, "auth_method" varchar(64) not null)`);
  const indexes = await sql<{ sql: string }>`SELECT sql FROM sqlite_master
    WHERE type = 'index' AND tbl_name = 'users' AND sql IS NOT NULL`.execute(db);

  await sql`PRAGMA foreign_keys = OFF`.execute(db);
  try {
    await sql`BEGIN`.execute(db);
    try {
      await sql.raw(rebuilt).execute(db);
      await sql`INSERT INTO users_new SELECT *, 'legacy' FROM users`.execute(db);
      await db.schema.dropTable("users").execute();
      await db.schema.alterTable("users_new").renameTo("users").execute();
      for (const index of indexes.rows) await sql.raw(index.sql).execute(db);
      await db.schema.createIndex("users_identity").unique().on("users").columns(["auth_method", "identifier"]).execute();
      const { rows } = await sql`PRAGMA foreign_key_check`.execute(db);
      if (rows.length > 0) throw new Error(`rebuilding users left ${rows.length} dangling references`);
      await sql`COMMIT`.execute(db);
    } catch (error) {
      await sql`ROLLBACK`.execute(db);
      throw error;
    }
  } finally {
    await sql`PRAGMA foreign_keys = ON`.execute(db);
  }
}
