import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { cachingStatements } from "../src/data/statement-cache.js";

describe("cachingStatements", () => {
  let sqlite: Database.Database;
  afterEach(() => {
    if (sqlite.open) sqlite.close();
  });

  function open() {
    sqlite = new Database(":memory:");
    sqlite.exec("create table t (id integer primary key, name text)");
    const prepare = vi.spyOn(sqlite, "prepare");
    return { prepare };
  }

  it("prepares each SQL text once and runs it with new parameters each time", () => {
    const { prepare } = open();
    const db = cachingStatements(sqlite);
    const insert = "insert into t (name) values (?)";
    expect(db.prepare(insert).run(["a"]).changes).toBe(1);
    expect(db.prepare(insert).run(["b"]).changes).toBe(1);
    const select = "select name from t where id = ?";
    expect(db.prepare(select).reader).toBe(true);
    expect(db.prepare(select).all([2])).toEqual([{ name: "b" }]);
    expect(db.prepare(select).all([1])).toEqual([{ name: "a" }]);
    expect(prepare).toHaveBeenCalledTimes(2);
  });

  it("drops the least recently used statement past its capacity", () => {
    const { prepare } = open();
    const db = cachingStatements(sqlite, 2);
    const a = "select 1 as x";
    const b = "select 2 as x";
    const c = "select 3 as x";
    db.prepare(a);
    db.prepare(b);
    db.prepare(a); // a is now the most recently used
    db.prepare(c); // evicts b
    expect(prepare).toHaveBeenCalledTimes(3);
    db.prepare(a);
    expect(prepare).toHaveBeenCalledTimes(3);
    expect(db.prepare(b).all([])).toEqual([{ x: 2 }]);
    expect(prepare).toHaveBeenCalledTimes(4);
  });

  it("gives each iteration a statement of its own, so two streams of one query can be open at once", () => {
    open();
    const db = cachingStatements(sqlite);
    for (const name of ["a", "b", "c"]) db.prepare("insert into t (name) values (?)").run([name]);
    const query = "select name from t order by id";
    const first = db.prepare(query).iterate([]);
    const second = db.prepare(query).iterate([]);
    expect(first.next().value).toEqual({ name: "a" });
    expect(second.next().value).toEqual({ name: "a" });
    // The cached statement stays usable while both are open.
    expect(db.prepare(query).all([])).toHaveLength(3);
    expect([...first]).toEqual([{ name: "b" }, { name: "c" }]);
    expect([...second]).toEqual([{ name: "b" }, { name: "c" }]);
  });

  it("closes the database", () => {
    open();
    cachingStatements(sqlite).close();
    expect(sqlite.open).toBe(false);
  });
});
