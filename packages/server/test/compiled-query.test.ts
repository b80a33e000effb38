import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compiledQuery, compiledRowsQuery } from "../src/data/compiled-query.js";

interface Schema {
  items: { id: string; owner: string | null; size: number };
}

describe("compiledQuery", () => {
  let db: Kysely<Schema>;
  beforeEach(async () => {
    db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: new Database(":memory:") }) });
    await db.schema
      .createTable("items")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("owner", "text")
      .addColumn("size", "integer")
      .execute();
  });
  afterEach(() => db.destroy());

  it("runs the query compiled once with each call's values, a name used twice getting the same value", async () => {
    const insert = compiledQuery<Schema["items"], never>(db, (slot) =>
      db.insertInto("items").values({ id: slot("id"), owner: slot("owner"), size: slot("size") }),
    );
    await insert({ id: "a", owner: "x", size: 1 });
    await insert({ id: "b", owner: null, size: 2 });
    await insert({ id: "c", owner: "y", size: 3 });
    const claim = compiledQuery<{ id: string; owner: string }, Schema["items"]>(db, (slot) =>
      db
        .updateTable("items")
        .set({ owner: slot("owner") })
        .where("id", "=", slot("id"))
        .where((eb) => eb.or([eb("owner", "is", null), eb("owner", "=", slot("owner"))]))
        .returningAll(),
    );
    expect((await claim({ id: "a", owner: "z" })).rows).toEqual([]);
    expect((await claim({ id: "b", owner: "z" })).rows).toEqual([{ id: "b", owner: "z", size: 2 }]);
    expect((await claim({ id: "b", owner: "z" })).rows).toEqual([{ id: "b", owner: "z", size: 2 }]);
    expect(await db.selectFrom("items").selectAll().orderBy("id").execute()).toEqual([
      { id: "a", owner: "x", size: 1 },
      { id: "b", owner: "z", size: 2 },
      { id: "c", owner: "y", size: 3 },
    ]);
  });

  it("refuses, when it is built, a value that did not become a parameter", () => {
    expect(() =>
      compiledQuery<{ id: string; unused: string }, Schema["items"]>(db, (slot) => {
        slot("unused");
        return db.selectFrom("items").selectAll().where("id", "=", slot("id"));
      }),
    ).toThrow(/every value must become a parameter/);
  });

  it("runs a multi-row statement compiled once for its row count, each row's columns in their places", async () => {
    const insertThree = compiledRowsQuery<Schema["items"], "id" | "owner" | "size">(db, 3, ["id", "size", "owner"], (rows) =>
      db.insertInto("items").values(rows as Schema["items"][]),
    );
    await insertThree([
      { id: "a", owner: "x", size: 1 },
      { id: "b", owner: null, size: 2 },
      { id: "c", owner: "y", size: 3 },
    ]);
    await insertThree([
      { id: "d", owner: "w", size: 4 },
      { id: "e", owner: "v", size: 5 },
      { id: "f", owner: null, size: 6 },
    ]);
    expect(await db.selectFrom("items").selectAll().orderBy("id").execute()).toEqual([
      { id: "a", owner: "x", size: 1 },
      { id: "b", owner: null, size: 2 },
      { id: "c", owner: "y", size: 3 },
      { id: "d", owner: "w", size: 4 },
      { id: "e", owner: "v", size: 5 },
      { id: "f", owner: null, size: 6 },
    ]);
    expect(() => insertThree([{ id: "g", owner: null, size: 7 }])).toThrow(/compiled for 3 rows, given 1/);
  });
});
