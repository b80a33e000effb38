import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import type { DatabaseConfig } from "../config/resolve-config.js";
import type { DatabaseSchema } from "./schema.js";

export type Database = Kysely<DatabaseSchema>;

const INT8_OID = 20;

/** Opens the configured database. The caller owns it and must `destroy()` it. */
export function openDatabase(config: DatabaseConfig): Database {
  if (config.dialect === "postgres") {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: 10,
      // Times are bigint milliseconds: read them as numbers (exact up to 2^53), not strings.
      types: {
        getTypeParser: ((oid: number, format?: "text" | "binary") =>
          oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    return new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
  }

  if (config.file !== ":memory:") mkdirSync(dirname(config.file), { recursive: true });
  const sqlite = new SQLite(config.file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // SQLite's own lower() folds ASCII only; searches lower-case both sides and must match
  // PostgreSQL, so "Über" finds "über" on both.
  sqlite.function("lower", { deterministic: true }, (value: unknown) => (typeof value === "string" ? value.toLowerCase() : value));
  return new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
}
