import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { StatementCache } from "../src/data/statement-cache.js";

describe("StatementCache", () => {
  let sqlite: Database.Database;
  afterEach(() => sqlite.close());

  function open() {
    sqlite = new Database(":memory:");
    sqlite.exec("create table t (id integer primary key, name text)");
    return vi.spyOn(sqlite, "prepare");
  }

  it("prepares each SQL text once and runs it with new parameters each time", () => {
    const prepare = open();
    const cache = new StatementCache(sqlite);
    const insert = "insert into t (name) values (?)";
    expect(cache.get(insert).run(["a"]).changes).toBe(1);
    expect(cache.get(insert).run(["b"]).changes).toBe(1);
    const select = "select name from t where id = ?";
    expect(cache.get(select).all([2])).toEqual([{ name: "b" }]);
    expect(cache.get(select).all([1])).toEqual([{ name: "a" }]);
    expect(prepare).toHaveBeenCalledTimes(2);
  });

  it("drops the least recently used statement past its capacity", () => {
    const prepare = open();
    const cache = new StatementCache(sqlite, 2);
    cache.get("select 1 as x");
    cache.get("select 2 as x");
    cache.get("select 1 as x"); // now the most recently used
    cache.get("select 3 as x"); // drops "select 2"
    expect(prepare).toHaveBeenCalledTimes(3);
    cache.get("select 1 as x");
    expect(prepare).toHaveBeenCalledTimes(3);
    expect(cache.get("select 2 as x").all()).toEqual([{ x: 2 }]);
    expect(prepare).toHaveBeenCalledTimes(4);
  });

  it("gives an iteration a statement of its own, so the cached one stays usable meanwhile", () => {
    open();
    const cache = new StatementCache(sqlite);
    for (const name of ["a", "b", "c"]) cache.get("insert into t (name) values (?)").run([name]);
    const query = "select name from t order by id";
    const stream = cache.prepareFresh(query).iterate();
    expect(stream.next().value).toEqual({ name: "a" });
    expect(cache.get(query).all()).toHaveLength(3);
    expect([...stream]).toEqual([{ name: "b" }, { name: "c" }]);
  });
});
