import SQLite from "better-sqlite3";
import { Kysely, sql, SqliteDialect } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InsertBatch } from "../src/data/insert-batch.js";

interface Schema {
  items: { id: string; size: number };
}

describe("InsertBatch", () => {
  let db: Kysely<Schema>;
  /** The size of each INSERT the batch made, in order. */
  let statements: number[];
  let batch: InsertBatch<Schema["items"]>;
  const stored = async () => (await db.selectFrom("items").select("id").orderBy("id").execute()).map((row) => row.id);

  beforeEach(async () => {
    db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: new SQLite(":memory:") }) });
    await db.schema
      .createTable("items")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("size", "integer", (c) => c.check(sql`size >= 0`))
      .execute();
    statements = [];
    batch = new InsertBatch(async (rows) => {
      statements.push(rows.length);
      await db.insertInto("items").values(rows).execute();
    });
  });
  afterEach(async () => {
    await db.destroy();
  });

  const item = (i: number, size = 1) => ({ id: `item-${String(i).padStart(3, "0")}`, size });

  it("writes the rows asked for in one turn with one INSERT per power-of-two group, and settles each once written", async () => {
    const written = await Promise.all(Array.from({ length: 37 }, (_, i) => batch.insert(item(i)).then(stored)));
    expect(statements).toEqual([32, 4, 1]);
    // Every caller saw at least its own row stored when its promise settled.
    written.forEach((ids, i) => expect(ids).toContain(item(i).id));
    expect(await stored()).toHaveLength(37);
  });

  it("never puts more than 256 rows in one INSERT", async () => {
    await Promise.all(Array.from({ length: 600 }, (_, i) => batch.insert(item(i))));
    expect(statements).toEqual([256, 256, 64, 16, 8]);
  });

  it("writes rows asked for in different turns with different INSERTs", async () => {
    await batch.insert(item(1));
    await batch.insert(item(2));
    expect(statements).toEqual([1, 1]);
  });

  it("fails only the bad row of a group: the others are written one by one", async () => {
    const results = await Promise.allSettled([batch.insert(item(1)), batch.insert(item(2, -1)), batch.insert(item(3)), batch.insert(item(4))]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/CHECK constraint/);
    expect(await stored()).toEqual([item(1).id, item(3).id, item(4).id]);
    expect(statements).toEqual([4, 1, 1, 1, 1]);
  });

  it("fails a row that is refused alone without retrying it", async () => {
    await expect(batch.insert(item(1, -1))).rejects.toThrow(/CHECK constraint/);
    expect(statements).toEqual([1]);
    expect(await stored()).toEqual([]);
  });
});
