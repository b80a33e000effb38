import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GroupCommitSqliteDialect } from "../src/data/group-commit-sqlite.js";

interface Schema {
  items: { id: string; size: number };
}

describe("GroupCommitSqliteDialect", () => {
  let dir: string;
  let file: string;
  let db: Kysely<Schema>;
  /** A second connection to the same file: sees only what was committed. */
  let observer: SQLite.Database;
  const committed = () => (observer.prepare("select id from items order by id").all() as { id: string }[]).map((row) => row.id);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "parlor-group-commit-"));
    file = join(dir, "db.sqlite");
    const sqlite = new SQLite(file);
    sqlite.pragma("journal_mode = WAL");
    db = new Kysely<Schema>({ dialect: new GroupCommitSqliteDialect(sqlite) });
    await db.schema
      .createTable("items")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("size", "integer", (c) => c.check(sql`size >= 0`))
      .execute();
    observer = new SQLite(file, { readonly: true });
  });
  afterEach(async () => {
    observer.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("commits the writes of one turn together, and resolves each only once it is committed", async () => {
    const seenAtResolve: string[][] = [];
    const writes = ["a", "b", "c"].map((id) =>
      db
        .insertInto("items")
        .values({ id, size: 1 })
        .execute()
        .then(() => seenAtResolve.push(committed())),
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    await Promise.all(writes);
    // Every write, when it resolved, was already visible to another connection.
    expect(seenAtResolve).toEqual([
      ["a", "b", "c"],
      ["a", "b", "c"],
      ["a", "b", "c"],
    ]);
  });

  it("rejects a failing statement alone and commits the rest of its group", async () => {
    const results = await Promise.allSettled([
      db.insertInto("items").values({ id: "a", size: 1 }).execute(),
      db.insertInto("items").values({ id: "a", size: 2 }).execute(),
      db.insertInto("items").values({ id: "b", size: -1 }).execute(),
      db.insertInto("items").values({ id: "c", size: 3 }).execute(),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled"]);
    expect(committed()).toEqual(["a", "c"]);
  });

  it("makes a read wait for the writes before it, so it never reports uncommitted rows", async () => {
    const write = db.insertInto("items").values({ id: "a", size: 1 }).execute();
    const read = db.selectFrom("items").select("id").execute();
    expect(await read).toEqual([{ id: "a" }]);
    expect(committed()).toEqual(["a"]);
    await write;
  });

  it("runs an explicit transaction alone: its rollback undoes only its own writes", async () => {
    const outside = db.insertInto("items").values({ id: "before", size: 1 }).execute();
    const transaction = db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto("items").values({ id: "inside", size: 1 }).execute();
        // Started during the transaction, run after it.
        void db.insertInto("items").values({ id: "during", size: 1 }).execute();
        await new Promise((resolve) => setTimeout(resolve, 10));
        throw new Error("roll back");
      })
      .catch((error: Error) => error.message);
    await outside;
    expect(await transaction).toBe("roll back");
    await db.selectFrom("items").select("id").execute();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(committed()).toEqual(["before", "during"]);
  });

  it("runs pragmas and raw transaction control outside any group", async () => {
    void db.insertInto("items").values({ id: "a", size: 1 }).execute();
    await sql`PRAGMA foreign_keys = OFF`.execute(db);
    expect((await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(db)).rows).toEqual([{ foreign_keys: 0 }]);
    await sql`BEGIN`.execute(db);
    await db.insertInto("items").values({ id: "b", size: 1 }).execute();
    await sql`ROLLBACK`.execute(db);
    expect(committed()).toEqual(["a"]);
  });
});
