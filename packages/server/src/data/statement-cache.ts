import type SQLite from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/**
 * Enough for every distinct statement the server runs (a few dozen) plus the variants of
 * `in (?, ?, …)` lists; past it the least recently used statement is dropped.
 */
const DEFAULT_CAPACITY = 256;

/**
 * The `better-sqlite3` database as Kysely's `SqliteDialect` sees it, with each SQL text
 * prepared once and reused. Kysely's driver calls `prepare()` for every query, and preparing
 * (parsing and planning the SQL) cost about as much as running it on the chat path (bench/README.md,
 * "Chat latency"). A statement is reusable because `all()` and `run()` finish synchronously;
 * `iterate()` (Kysely's `stream()`) keeps its statement busy until the caller stops reading,
 * so it gets a statement of its own.
 *
 * Hand-written: better-sqlite3 has no statement cache, and Kysely's dialect takes any object
 * with `prepare()`, so a Map in insertion order (re-inserted on use) is the whole LRU.
 */
export function cachingStatements(database: SQLite.Database, capacity = DEFAULT_CAPACITY): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      let statement = cache.get(sql);
      if (statement !== undefined) {
        cache.delete(sql);
      } else {
        const prepared = database.prepare(sql);
        statement = {
          reader: prepared.reader,
          all: (parameters) => prepared.all(parameters),
          run: (parameters) => prepared.run(parameters),
          iterate: (parameters) => database.prepare(sql).iterate(parameters),
        };
        if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}
