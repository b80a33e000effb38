import type { KyselyPlugin } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ThreadReleases } from "../src/chat/thread-releases.js";
import { resolveDatabaseConfig } from "../src/config/resolve-config.js";
import { openDatabase, type Database } from "../src/data/database.js";
import { migrateToLatest } from "../src/data/migrate.js";
import { ThreadStore } from "../src/data/thread-store.js";
import { dialects, eventually, type TestDatabase } from "@parlor/test-support";

const OWNER = "process-a";

/** Counts the statements run through this handle (compiled once or built each time: each run's result passes here). */
function countingStatements() {
  const counter = { statements: 0 };
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      counter.statements++;
      return args.result;
    },
  };
  return { counter, plugin };
}

describe.each(dialects)("thread releases on $name", (dialect) => {
  let database: TestDatabase;
  let db: Database;
  let threads: ThreadStore;
  let counter: { statements: number };
  let now = 1_000;
  beforeEach(async () => {
    database = await dialect.create();
    db = await openDatabase(resolveDatabaseConfig({ PARLOR_DATABASE_URL: database.url }));
    await migrateToLatest(db);
    await db
      .insertInto("users")
      .values({ id: "u1", auth_method: "password", identifier: "alice", display_name: null, metadata: "{}", created_at: 1, updated_at: 1 })
      .execute();
    const counting = countingStatements();
    counter = counting.counter;
    threads = new ThreadStore(db.withPlugin(counting.plugin));
  });
  afterEach(async () => {
    await db.destroy();
    await database.dispose();
  });

  const row = (id: string) => db.selectFrom("threads").select(["run_owner", "updated_at"]).where("id", "=", id).executeTakeFirstOrThrow();
  const releases = () =>
    new ThreadReleases(
      threads,
      OWNER,
      () => now,
      (error) => {
        throw error;
      },
    );

  it("frees every thread asked for in one turn with one statement, stamping updated_at, and leaves other owners' threads held", async () => {
    const a = await threads.createThread("u1", "a", 1, { runOwner: OWNER });
    const b = await threads.createThread("u1", "b", 1, { runOwner: OWNER });
    const other = await threads.createThread("u1", "c", 1, { runOwner: "process-b" });
    const group = releases();
    counter.statements = 0;
    now = 5_000;
    group.release(a.id);
    group.release(b.id);
    group.release(other.id);
    expect(counter.statements).toBe(0); // nothing until the next turn
    await group.settled();
    expect(counter.statements).toBe(1);
    expect(await row(a.id)).toEqual({ run_owner: null, updated_at: 5_000 });
    expect(await row(b.id)).toEqual({ run_owner: null, updated_at: 5_000 });
    // Only this process's claims are freed; the thread is stamped all the same.
    expect(await row(other.id)).toEqual({ run_owner: "process-b", updated_at: 5_000 });
  });

  it("frees any number of threads: a statement per 256, each compiled for a power-of-two count", async () => {
    const created = await Promise.all(Array.from({ length: 300 }, (_, i) => threads.createThread("u1", `t${i}`, 1, { runOwner: OWNER })));
    const group = releases();
    counter.statements = 0;
    now = 6_000;
    for (const thread of created) group.release(thread.id);
    await group.settled();
    // 256 + 44 (padded to 64): two statements.
    expect(counter.statements).toBe(2);
    const freed = await db.selectFrom("threads").select(["run_owner", "updated_at"]).where("name", "like", "t%").execute();
    expect(freed).toHaveLength(300);
    expect(freed.every((thread) => thread.run_owner === null && thread.updated_at === 6_000)).toBe(true);
  });

  it("drops a waiting release when this process claims the thread again, so it cannot undo the new claim", async () => {
    const a = await threads.createThread("u1", "a", 1, { runOwner: OWNER });
    const group = releases();
    group.release(a.id);
    await group.beforeClaim(a.id);
    expect(await threads.claimThread("u1", a.id, OWNER, 7_000)).toMatchObject({ id: a.id, run_owner: OWNER, updated_at: 7_000 });
    await new Promise((resolve) => setImmediate(resolve));
    await group.settled();
    expect(await row(a.id)).toEqual({ run_owner: OWNER, updated_at: 7_000 });
  });

  it("waits for a release already running before a new claim of that thread", async () => {
    const a = await threads.createThread("u1", "a", 1, { runOwner: OWNER });
    const group = releases();
    group.release(a.id);
    const flushing = group.settled(); // the statement is now on its way
    await group.beforeClaim(a.id);
    expect(await row(a.id)).toMatchObject({ run_owner: null });
    await flushing;
    expect(await threads.claimThread("u1", a.id, OWNER, 8_000)).not.toBeNull();
    expect(await row(a.id)).toEqual({ run_owner: OWNER, updated_at: 8_000 });
  });
  /** The store, with `releaseThreads` refused as by a stopped database the first `times` calls. */
  const unreachableFor = (times: number, error: Error = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })) => {
    const store = Object.create(threads) as ThreadStore;
    store.releaseThreads = async (...args) => {
      if (times-- > 0) throw error;
      return threads.releaseThreads(...args);
    };
    return store;
  };

  it("tries a release again while the database is unreachable, logging it once, until it lands: other processes see the thread free", async () => {
    const a = await threads.createThread("u1", "a", 1, { runOwner: OWNER });
    const logged: unknown[] = [];
    const group = new ThreadReleases(
      unreachableFor(2),
      OWNER,
      () => now,
      (error) => logged.push(error),
    );
    group.release(a.id);
    await eventually("the release to land", async () => (await row(a.id)).run_owner === null, 10_000, 50);
    expect(logged).toEqual([expect.objectContaining({ code: "ECONNREFUSED" })]);
    expect(await threads.claimThread("u1", a.id, "process-b", 9_000)).not.toBeNull();
  });

  it("does not retry a release that failed for another reason, and settles at shutdown after one try while the database is away", async () => {
    const a = await threads.createThread("u1", "a", 1, { runOwner: OWNER });
    const logged: unknown[] = [];
    const broken = new ThreadReleases(
      unreachableFor(1, new Error("a bug")),
      OWNER,
      () => now,
      (error) => logged.push(error),
    );
    broken.release(a.id);
    await broken.settled();
    expect(logged).toEqual([expect.objectContaining({ message: "a bug" })]);
    expect(await row(a.id)).toMatchObject({ run_owner: OWNER });

    const away = new ThreadReleases(
      unreachableFor(Infinity),
      OWNER,
      () => now,
      () => undefined,
    );
    away.release(a.id);
    await away.settled();
    expect(await row(a.id)).toMatchObject({ run_owner: OWNER });
  });
});
