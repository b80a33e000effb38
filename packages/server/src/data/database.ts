import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, type PostgresPool } from "kysely";
import type pg from "pg";
import type { DatabaseConfig } from "../config/resolve-config.js";
import { CurrentSchemaPostgresDialect } from "./current-schema-dialect.js";
import { connectionFailureReason, isDatabaseUnavailable } from "./database-unavailable.js";
import { loadPg } from "./load-pg.js";
import type { DatabaseSchema } from "./schema.js";
import { GroupCommitSqliteDialect } from "./group-commit-sqlite.js";
import { type CheckpointLog, SqliteCheckpoints } from "./sqlite-checkpoints.js";

export type Database = Kysely<DatabaseSchema>;

/** Where the database layer tells the deployer about outages (the server's logger). */
export interface DatabaseLog extends CheckpointLog {
  info(message: string): void;
}

export interface OpenDatabaseOptions {
  /** Told once when the database goes away and once when it is back; default: nobody. */
  log?: DatabaseLog;
}

const INT8_OID = 20;
const silent: DatabaseLog = { warn() {}, info() {} };

/**
 * Opens the configured database. The caller owns it and must `destroy()` it. Async because
 * the PostgreSQL driver is loaded only for a PostgreSQL URL; without `pg` installed, that
 * fails with a `ParlorConfigError` that says to install it.
 */
export async function openDatabase(config: DatabaseConfig, { log = silent }: OpenDatabaseOptions = {}): Promise<Database> {
  if (config.dialect === "postgres") {
    const pg = await loadPg();
    const pool = new pg.Pool({
      connectionString: config.url,
      max: config.poolSize,
      // Bounds both opening a connection and waiting for a free one: past it the request
      // fails (503 `unavailable`) instead of hanging while the database is unreachable.
      connectionTimeoutMillis: config.connectTimeout * 1000,
      // Times are bigint milliseconds: read them as numbers (exact up to 2^53), not strings.
      types: {
        getTypeParser: ((oid: number, format?: "text" | "binary") =>
          // eslint-disable-next-line @typescript-eslint/no-unsafe-return -- pg types its parsers as any; the cast gives this function pg's own signature
          oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    return new Kysely<DatabaseSchema>({ dialect: new CurrentSchemaPostgresDialect({ pool: survivingOutages(pool, log) }) });
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
  // An in-memory database has no log to checkpoint.
  const checkpoints = config.file === ":memory:" ? null : SqliteCheckpoints.start(sqlite, config.file, log);
  return new Kysely<DatabaseSchema>({ dialect: new GroupCommitSqliteDialect(sqlite, { beforeClose: () => checkpoints?.close() }) });
}

/**
 * Keeps a database outage from killing the process, and reports it once.
 *
 * pg emits `'error'` on a connection that dies: on the pool for an idle one (a restart sends
 * 57P01 to every session), on the client for one checked out by a query. An `'error'` event
 * without a listener is an uncaught exception, which exits Node. pg-pool has already
 * dropped the dead connection and opens fresh ones on demand, so recovery needs nothing but
 * surviving; the queries that failed reach the error handler and are answered 503.
 * The log gets one line when the database goes away and one when a new connection
 * succeeds, never the error object (pg attaches the whole client to it).
 */
function survivingOutages(pool: pg.Pool, log: DatabaseLog): PostgresPool {
  let away = false;
  const noticeLoss = (error: unknown) => {
    if (away) return;
    away = true;
    log.warn(`the database is unavailable (${connectionFailureReason(error)}): requests that need it are answered 503 until it is back`);
  };

  pool.on("error", function idleConnectionDied(error) {
    noticeLoss(error);
  });
  pool.on("connect", function newConnection(client) {
    // pg-pool listens for errors on idle clients only; this one covers checked-out ones too.
    client.on("error", function checkedOutConnectionDied(error) {
      noticeLoss(error);
    });
    if (away) {
      away = false;
      log.info("the database is reachable again");
    }
  });

  // A refused or timed-out connect is not an 'error' event: it rejects the checkout. When
  // the database was already gone before any idle connection noticed, this is the first sign.
  return {
    connect: () =>
      pool.connect().catch((error: unknown) => {
        if (isDatabaseUnavailable(error)) noticeLoss(error);
        throw error;
      }),
    end: () => pool.end(),
  };
}
