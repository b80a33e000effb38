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
 * Kysely's SQLite dialect with group commit: the writes run during one turn of the event loop
 * share one transaction, committed at the next turn, instead of a commit each.
 *
 * A commit is SQLite's costliest step (appending to the WAL, and every thousand pages a
 * checkpoint with two fsyncs that block the event loop): on the chat path, three commits
 * per message were about a third of the server's CPU (bench/README.md, "Chat latency").
 * Under load many messages run their statements in the same turn, and share one commit.
 *
 * Nothing is reported before it is durable: a write's promise (and a read's, while writes
 * wait to be committed) resolves only after the COMMIT, so "acknowledged means stored"
 * holds. A statement that fails rejects at once (SQLite undoes that statement only); a
 * failed COMMIT rejects every statement of the group. Explicit transactions
 * (`db.transaction()`) commit the open group first and then have the database to themselves.
 */
export class GroupCommitSqliteDialect extends SqliteDialect {
  constructor(private readonly sqlite: SQLite.Database) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    return new GroupCommitDriver(this.sqlite);
  }
}

interface Group {
  settled: Promise<void>;
  commit: () => void;
  fail: (error: unknown) => void;
}

class GroupCommitDriver implements Driver {
  private readonly statements: StatementCache;
  private group: Group | null = null;
  /** The connection running an explicit transaction; other connections wait for its end. */
  private owner: DatabaseConnection | null = null;
  private ownerDone: Promise<void> = Promise.resolve();
  private endOwner: () => void = () => undefined;

  constructor(private readonly sqlite: SQLite.Database) {
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
    this.commitGroup();
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
    this.commitGroup();
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
    if (this.owner === connection || (this.group === null && this.sqlite.inTransaction)) return run<R>(statement, query.parameters);
    // A read outside any group sees only committed data and can answer at once.
    if (statement.readonly && this.group === null) return run<R>(statement, query.parameters);
    // Raw SQL, DDL and pragmas run alone, as with Kysely's own driver: `BEGIN` cannot nest,
    // and a pragma such as `foreign_keys` does nothing inside a transaction.
    if (!isBuiltQuery(query)) {
      this.commitGroup();
      return run<R>(statement, query.parameters);
    }
    const group = this.group ?? this.openGroup();
    let result: QueryResult<R>;
    try {
      result = run<R>(statement, query.parameters);
    } catch (error) {
      // Most errors undo the statement only; some (a full disk, I/O) end the transaction.
      if (!this.sqlite.inTransaction && this.group === group) this.failGroup(error);
      throw error;
    }
    await group.settled;
    return result;
  }

  private async *stream<R>(connection: DatabaseConnection, query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(query.query)) throw new Error("Sqlite driver only supports streaming of select queries");
    if (this.owner !== connection) await this.waitForOthers(connection);
    if (this.owner !== connection && this.group !== null) await this.group.settled;
    for (const row of this.statements.prepareFresh(query.sql).iterate(query.parameters)) yield { rows: [row as R] };
  }

  private openGroup(): Group {
    this.statements.get("begin").run();
    let commit!: () => void;
    let fail!: (error: unknown) => void;
    const settled = new Promise<void>((resolve, reject) => {
      commit = resolve;
      fail = reject;
    });
    // Each statement of the group awaits `settled`; the group's own copy must not count as unhandled.
    settled.catch(() => undefined);
    const group: Group = { settled, commit, fail };
    this.group = group;
    setImmediate(() => {
      if (this.group === group) this.commitGroup();
    });
    return group;
  }

  private commitGroup(): void {
    const group = this.group;
    if (group === null) return;
    this.group = null;
    try {
      this.statements.get("commit").run();
    } catch (error) {
      if (this.sqlite.inTransaction) this.statements.get("rollback").run();
      group.fail(error);
      return;
    }
    group.commit();
  }

  private failGroup(error: unknown): void {
    const group = this.group!;
    this.group = null;
    if (this.sqlite.inTransaction) this.statements.get("rollback").run();
    group.fail(error);
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
