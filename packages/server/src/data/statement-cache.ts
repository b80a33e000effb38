import type SQLite from "better-sqlite3";

/**
 * Enough for every distinct statement the server runs (a few dozen) plus the variants of
 * `in (?, ?, …)` lists; past it the least recently used statement is dropped.
 */
const DEFAULT_CAPACITY = 256;

/**
 * Each SQL text prepared once and reused. Kysely's SQLite driver prepares every query anew,
 * and preparing (parsing and planning the SQL) cost about as much as running it on the chat
 * path (bench/README.md, "Chat latency"). A statement is reusable because `all()` and `run()`
 * finish synchronously; `iterate()` keeps its statement busy until the caller stops reading,
 * so streams prepare their own (`prepareFresh`).
 *
 * Hand-written: better-sqlite3 has no statement cache, and a Map in insertion order
 * (re-inserted on use) is the whole LRU.
 */
export class StatementCache {
  private readonly cache = new Map<string, SQLite.Statement>();

  constructor(
    private readonly database: SQLite.Database,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  get(sql: string): SQLite.Statement {
    let statement = this.cache.get(sql);
    if (statement !== undefined) {
      this.cache.delete(sql);
    } else {
      statement = this.database.prepare(sql);
      if (this.cache.size >= this.capacity) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(sql, statement);
    return statement;
  }

  /** A statement of its own, for a caller that keeps it busy across turns (an iteration). */
  prepareFresh(sql: string): SQLite.Statement {
    return this.database.prepare(sql);
  }
}
