import type { FastifyBaseLogger } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dialects, type TestDatabase } from "@parlor/test-support";
import { ProcessLease } from "../src/chat/process-lease.js";
import { resolveDatabaseConfig } from "../src/config/resolve-config.js";
import { openDatabase, type Database } from "../src/data/database.js";
import { migrateToLatest } from "../src/data/migrate.js";
import { ProcessStore, type AbandonedReply } from "../src/data/process-store.js";
import { ThreadStore } from "../src/data/thread-store.js";

const quiet = { warn: () => undefined, error: () => undefined } as unknown as FastifyBaseLogger;

/**
 * Recovery of the replies of a process on another host that stopped beating (a lost machine):
 * the survivors mark them `interrupted`, and exactly one of them is told to announce each.
 */
describe.each(dialects)("process lease on $name", (dialect) => {
  let database: TestDatabase;
  let db: Database;
  let threads: ThreadStore;
  const now = 100_000;

  beforeEach(async () => {
    database = await dialect.create();
    db = await openDatabase(resolveDatabaseConfig({ PARLOR_DATABASE_URL: database.url }));
    await migrateToLatest(db);
    for (const [id, identifier] of [
      ["u1", "alice"],
      ["u2", "bob"],
    ]) {
      await db
        .insertInto("users")
        .values({ id: id!, auth_method: "password", identifier: identifier!, display_name: null, metadata: "{}", created_at: 1, updated_at: 1 })
        .execute();
    }
    threads = new ThreadStore(db);
  });
  afterEach(async () => {
    await db.destroy();
    await database.dispose();
  });

  /** A process on another host whose last heartbeat was at `heartbeatAt`, with a reply streaming in a thread of `userId`. */
  const streamingOn = async (processId: string, heartbeatAt: number, userId: string) => {
    await db.insertInto("processes").values({ id: processId, host: "another-host", pid: 1, started_at: 1, heartbeat_at: heartbeatAt }).execute();
    const thread = await threads.createThread(userId, "t", 1, { runOwner: processId });
    const reply = await threads.insertMessage({
      thread_id: thread.id,
      role: "assistant",
      content: "half a",
      status: "streaming",
      created_at: 2,
      parent_id: null,
      owner_id: processId,
    });
    return { threadId: thread.id, messageId: reply.id };
  };
  const lease = (told: AbandonedReply[][]) =>
    new ProcessLease({ processes: new ProcessStore(db), interval: 5, clock: () => now, log: quiet, onInterrupted: (replies) => told.push(replies) });

  it("marks the replies of a process silent for 3 heartbeats interrupted and names each with its user, once, whichever of two survivors gets there", async () => {
    const lost = await streamingOn("lost", now - 16_000, "u1");
    const alive = await streamingOn("alive", now - 1_000, "u2");
    const toldFirst: AbandonedReply[][] = [];
    const toldSecond: AbandonedReply[][] = [];
    const [first, second] = [lease(toldFirst), lease(toldSecond)];
    await Promise.all([first.start(), second.start()]);
    try {
      expect([...toldFirst, ...toldSecond]).toEqual([[{ ...lost, userId: "u1" }]]);
      const statuses = await db.selectFrom("messages").select(["id", "status"]).orderBy("id").execute();
      expect(statuses).toEqual(
        [
          { id: lost.messageId, status: "interrupted" },
          { id: alive.messageId, status: "streaming" },
        ].sort((x, y) => (x.id < y.id ? -1 : 1)),
      );
    } finally {
      await first.stop();
      await second.stop();
    }
  });

  it("tells nothing when no reply was left", async () => {
    await streamingOn("alive", now - 1_000, "u1");
    const told: AbandonedReply[][] = [];
    const only = lease(told);
    await only.start();
    await only.stop();
    expect(told).toEqual([]);
  });
});
