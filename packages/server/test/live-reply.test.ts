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
});
