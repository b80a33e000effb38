import type SQLite from "better-sqlite3";
import {
  DeleteQueryNode,
  InsertQueryNode,
  SelectQueryNode,
  SqliteDialect,
  UpdateQueryNode,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from "kysely";
import { StatementCache } from "./statement-cache.js";

/**
 * Kysely's SQLite dialect with group commit: the statements Kysely's query builders make
 * during one turn of the event loop wait for the next turn and run there, in order, in one
 * transaction, instead of a commit each (a statement alone runs alone, as before).
 *
 * A commit is SQLite's costliest step (appending to the WAL, and every thousand pages a
 * checkpoint with two fsyncs that block the event loop): on the chat path, three commits
 * per message were about a third of the server's CPU (bench/README.md, "Chat latency").
 * Under load many messages run their statements in the same turn, and share one commit.
 *
 * Nothing is reported before it is durable: each statement's promise settles after the
 * COMMIT, so "acknowledged means stored" holds. A statement that fails is undone alone
 * (SQLite's statement rollback) and rejected; a failed COMMIT rejects the whole group. A read
 * with no write waiting runs at once. Raw SQL, DDL, pragmas and explicit transactions
 * (`db.transaction()`) first run what waits, then run alone.
 */
export class GroupCommitSqliteDialect extends SqliteDialect {
  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly options: GroupCommitOptions = {},
  ) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    return new GroupCommitDriver(this.sqlite, this.options);
  }
}

export interface GroupCommitOptions {
  /** Runs on `destroy()` after the last group, before the connection closes (sqlite-checkpoints.ts). */
  beforeClose?: () => Promise<void> | undefined;
}

interface Waiting {
  statement: SQLite.Statement;
  parameters: readonly unknown[];
  resolve: (result: QueryResult<unknown>) => void;
  reject: (error: unknown) => void;
}

class GroupCommitDriver implements Driver {
  private readonly statements: StatementCache;
  /** Statements that wait for the next turn, to run in one transaction. */
  private queue: Waiting[] = [];
  /** The connection running an explicit transaction; other connections wait for its end. */
  private owner: DatabaseConnection | null = null;
  private ownerDone: Promise<void> = Promise.resolve();
  private endOwner: () => void = () => undefined;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly options: GroupCommitOptions,
  ) {
    this.statements = new StatementCache(sqlite);
  }

  async init(): Promise<void> {}

  /** SQLite has one connection; each caller gets a handle on it, so a transaction knows its own. */
  async acquireConnection(): Promise<DatabaseConnection> {
    const connection: DatabaseConnection = {
      executeQuery: <R>(query: CompiledQuery) => this.execute<R>(connection, query),
      streamQuery: <R>(query: CompiledQuery) => this.stream<R>(connection, query),
    };
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await this.waitForOthers(connection);
    this.flush();
    this.statements.get("begin").run();
    this.owner = connection;
    this.ownerDone = new Promise((resolve) => (this.endOwner = resolve));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.endTransaction(connection, "commit");
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await this.endTransaction(connection, "rollback");
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    this.flush();
    await this.options.beforeClose?.();
    this.sqlite.close();
  }

  private async endTransaction(connection: DatabaseConnection, sql: "commit" | "rollback"): Promise<void> {
    if (this.owner !== connection) throw new Error(`${sql} outside the connection's transaction`);
    try {
      this.statements.get(sql).run();
    } finally {
      this.owner = null;
      this.endOwner();
    }
  }

  private async waitForOthers(connection: DatabaseConnection): Promise<void> {
    while (this.owner !== null && this.owner !== connection) await this.ownerDone;
  }

  private async execute<R>(connection: DatabaseConnection, query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.owner !== null && this.owner !== connection) await this.waitForOthers(connection);
    const statement = this.statements.get(query.sql);
    // In a transaction already: the caller's own, or one a raw `BEGIN` opened (migrations).
    if (this.owner === connection || (this.queue.length === 0 && this.sqlite.inTransaction)) return run<R>(statement, query.parameters);
    // A read with no write waiting sees only committed data and can answer at once.
    if (statement.readonly && this.queue.length === 0) return run<R>(statement, query.parameters);
    // Raw SQL, DDL and pragmas run alone, as with Kysely's own driver: `BEGIN` cannot nest,
    // and a pragma such as `foreign_keys` does nothing inside a transaction.
    if (!isBuiltQuery(query)) {
      this.flush();
      return run<R>(statement, query.parameters);
    }
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ statement, parameters: query.parameters, resolve: resolve as (result: QueryResult<unknown>) => void, reject });
    });
  }

  private async *stream<R>(connection: DatabaseConnection, query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(query.query)) throw new Error("Sqlite driver only supports streaming of select queries");
    if (this.owner !== connection) await this.waitForOthers(connection);
    if (this.owner !== connection) this.flush();
    for (const row of this.statements.prepareFresh(query.sql).iterate(query.parameters)) yield { rows: [row as R] };
  }

  /**
   * Runs the waiting statements, in order, in one transaction (one alone needs none), and
   * settles each after the COMMIT. A statement that fails is undone alone by SQLite and
   * rejected; an error that ends the transaction (a full disk, I/O) rejects the whole group.
   */
  private flush(): void {
    const queue = this.queue;
    if (queue.length === 0) return;
    this.queue = [];
    if (queue.length === 1) {
      const { statement, parameters, resolve, reject } = queue[0]!;
      try {
        resolve(run(statement, parameters));
      } catch (error) {
        reject(error);
      }
      return;
    }
    const results: (QueryResult<unknown> | undefined)[] = [];
    let groupError: unknown = null;
    this.statements.get("begin").run();
    for (const [i, { statement, parameters, reject }] of queue.entries()) {
      try {
        results[i] = run(statement, parameters);
      } catch (error) {
        reject(error);
        if (!this.sqlite.inTransaction) {
          groupError = error;
          break;
        }
      }
    }
    if (groupError === null) {
      try {
        this.statements.get("commit").run();
      } catch (error) {
        if (this.sqlite.inTransaction) this.statements.get("rollback").run();
        groupError = error;
      }
    }
    for (const [i, { resolve, reject }] of queue.entries()) {
      const result = results[i];
      if (groupError !== null) {
        if (result !== undefined || i >= results.length) reject(groupError);
      } else if (result !== undefined) {
        resolve(result);
      }
    }
  }
}

/** A query made with Kysely's query builders, which never changes transactions or settings. */
function isBuiltQuery({ query }: CompiledQuery): boolean {
  return SelectQueryNode.is(query) || InsertQueryNode.is(query) || UpdateQueryNode.is(query) || DeleteQueryNode.is(query);
}

function run<R>(statement: SQLite.Statement, parameters: readonly unknown[]): QueryResult<R> {
  if (statement.reader) return { rows: statement.all(parameters) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}
