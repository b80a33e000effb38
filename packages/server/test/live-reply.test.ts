import { dialects, type TestDialect } from "@parlor/test-support";
import { describe, expect, it } from "vitest";
import { LiveReply } from "../src/chat/live-reply.js";
import { resolveDatabaseConfig } from "../src/config/resolve-config.js";
import { openDatabase } from "../src/data/database.js";
import { migrateToLatest } from "../src/data/migrate.js";
import { messageExtraStores } from "../src/data/message-extras.js";
import { ThreadStore } from "../src/data/thread-store.js";
import type { FileRow } from "../src/data/file-store.js";
import { toFileInfo, type FileService } from "../src/files/file-service.js";

/** A real thread store that counts the INSERTs of message rows. */
async function store(dialect: TestDialect) {
  const database = await dialect.create();
  const db = await openDatabase(resolveDatabaseConfig({ PARLOR_DATABASE_URL: database.url }));
  await migrateToLatest(db);
  await db
    .insertInto("users")
    .values({ id: "u1", auth_method: "password", identifier: "alice", display_name: null, metadata: "{}", created_at: 1, updated_at: 1 })
    .execute();
  const threads = new (class extends ThreadStore {
    inserts = 0;
    override insertMessage(...args: Parameters<ThreadStore["insertMessage"]>) {
      this.inserts++;
      return super.insertMessage(...args);
    }
  })(db);
  const thread = await threads.createThread("u1", "t", 1);
  return { db, threads, thread, dispose: async () => (await db.destroy(), await database.dispose()) };
}

// On PostgreSQL a write takes real turns of the event loop, so the reply's first-turn timer
// fires while attach() waits for its INSERT; on SQLite both finish within the turn.
describe.each(dialects)("a live reply on $name", (dialect) => {
  it("writes its row once when the app attaches a file in the reply's first turn", async () => {
    const { db, threads, thread, dispose } = await store(dialect);
    // The file row itself is the file service's business: here only the message row matters.
    const files = {
      create: async ({ messageId }: { messageId: string }) => ({
        id: "f1",
        user_id: "u1",
        thread_id: thread.id,
        message_id: messageId,
        name: "a.txt",
        mime: "text/plain",
        size: 1,
        storage_key: "k",
        created_at: 1,
      }),
      info: (row: FileRow) => toFileInfo(row, ""),
    } as unknown as FileService;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const reply = new LiveReply("m1", thread.id, {
        threads,
        files,
        extras: messageExtraStores(db),
        hasOnAction: false,
        userId: "u1",
        emit: () => {},
        clock: () => 5,
        ownerId: "p1",
        cutShort: () => null,
      });
      await reply.attach({ name: "a.txt", data: "x" });
      await reply.stream("done");
      await reply.end();
      // Let an INSERT queued by the reply's first-turn timer run, if one was.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(threads.inserts).toBe(1);
      expect(unhandled).toEqual([]);
      expect(await db.selectFrom("messages").select(["content", "status"]).where("id", "=", "m1").executeTakeFirst()).toEqual({
        content: "done",
        status: "complete",
      });
    } finally {
      process.off("unhandledRejection", onUnhandled);
      await dispose();
    }
  });
  it("ends a reply whose last write meets a database outage once the database answers: stored, then message:end, never left streaming", async () => {
    const { db, thread, dispose } = await store(dialect);
    let refusals = 3;
    const threads = new (class extends ThreadStore {
      override async updateMessage(...args: Parameters<ThreadStore["updateMessage"]>) {
        if (refusals-- > 0) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
        return super.updateMessage(...args);
      }
    })(db);
    const emitted: Array<[string, unknown]> = [];
    try {
      const reply = new LiveReply("m2", thread.id, {
        threads,
        files: {} as FileService,
        extras: messageExtraStores(db),
        hasOnAction: false,
        userId: "u1",
        emit: (event, payload) => void emitted.push([event, payload]),
        clock: () => 5,
        ownerId: "p1",
        cutShort: () => null,
      });
      await reply.stream("partial");
      // Past the first turn: the row is stored `streaming`, so ending it is an UPDATE.
      await new Promise((resolve) => setTimeout(resolve, 20));
      await reply.end();
      expect(refusals).toBe(-1);
      expect(await db.selectFrom("messages").select(["content", "status"]).where("id", "=", "m2").executeTakeFirst()).toEqual({
        content: "partial",
        status: "complete",
      });
      expect(emitted.at(-1)).toEqual(["message:end", { threadId: thread.id, messageId: "m2", status: "complete" }]);
    } finally {
      await dispose();
    }
  });
  it("stores a reply that ends within its first turn once the database answers, then sends message:end", async () => {
    const { db, thread, dispose } = await store(dialect);
    let refusals = 2;
    const threads = new (class extends ThreadStore {
      override async insertMessage(...args: Parameters<ThreadStore["insertMessage"]>) {
        if (refusals-- > 0) throw new Error("Connection terminated unexpectedly");
        return super.insertMessage(...args);
      }
    })(db);
    const emitted: string[] = [];
    try {
      const reply = new LiveReply("m3", thread.id, {
        threads,
        files: {} as FileService,
        extras: messageExtraStores(db),
        hasOnAction: false,
        userId: "u1",
        emit: (event, ..._payload) => void emitted.push(event),
        clock: () => 5,
        ownerId: "p1",
        cutShort: () => null,
      });
      await reply.stream("all at once");
      await reply.end();
      expect(refusals).toBe(-1);
      expect(await db.selectFrom("messages").select(["content", "status"]).where("id", "=", "m3").executeTakeFirst()).toEqual({
        content: "all at once",
        status: "complete",
      });
      expect(emitted).toEqual(["message:new", "message:delta", "message:end"]);
    } finally {
      await dispose();
    }
  });
});
