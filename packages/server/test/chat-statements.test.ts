import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ThreadStore } from "../src/data/thread-store.js";
import { connectSocket, dialects, EventLog, request, startTestServer, type TestServer } from "@parlor/test-support";

/**
 * The chat path's statements (bench/README.md, "SQL statements per message"), counted where
 * every statement of Kysely's SQLite driver runs: a `better-sqlite3` statement's `all`, `run`
 * or `iterate` (the server prepares each SQL text once: src/data/statement-cache.ts). The
 * statement class is not exported; its prototype is taken from a throw-away statement.
 */
let statements = 0;
const methods = ["all", "run", "get", "iterate"] as const;
const probe = new Database(":memory:");
const statementProto = Object.getPrototypeOf(probe.prepare("select 1")) as Record<(typeof methods)[number], (...args: unknown[]) => unknown>;
probe.close();
const originals = methods.map((method) => statementProto[method]);
beforeAll(() => {
  methods.forEach((method, i) => {
    const original = originals[i]!;
    statementProto[method] = function countedStatement(this: unknown, ...args: unknown[]) {
      statements++;
      return original.apply(this, args);
    };
  });
});
afterAll(() => {
  methods.forEach((method, i) => (statementProto[method] = originals[i]!));
});

describe("statements per chat message on sqlite", () => {
  let t: TestServer;

  it("stores a message of the echo app in an existing thread with 4 statements, acknowledged only once stored, reply complete at message:end", async () => {
    // The heartbeat's statements would be counted too.
    t = await startTestServer({ dialect: dialects[0]!, server: { chat: { heartbeatInterval: 3600 } } });
    const alice = t.client();
    await alice.login("alice");
    const socket = await connectSocket(t, alice);
    const log = new EventLog(socket);
    const store = new ThreadStore(t.server.db);

    const first = await request(socket, "message:send", { content: "hello there" });
    await log.waitFor((e) => e.event === "thread:idle");
    const released = async () => (await store.findThread((await alice.get("/auth/me")).body.user.id, first.threadId))?.run_owner === null;
    for (let i = 0; i < 50 && !(await released()); i++) await new Promise((resolve) => setTimeout(resolve, 10));

    const before = statements;
    const ack = await request(socket, "message:send", { threadId: first.threadId, content: "one two three" });
    expect(ack).toMatchObject({ ok: true, threadId: first.threadId });
    // Acknowledged means stored.
    const atAck = await store.listMessages(first.threadId);
    expect(atAck.find((row) => row.id === ack.messageId)).toMatchObject({ role: "user", content: "one two three", status: "complete" });
    const end = await log.waitFor((e) => e.event === "message:end" && e.data.messageId !== log.of("message:end")[0].messageId);
    const reply = (await store.listMessages(first.threadId)).find((row) => row.id === end.data.messageId);
    expect(reply).toMatchObject({ role: "assistant", content: "one two three ", status: "complete" });
    await log.waitFor((e) => e.event === "thread:idle" && log.of("thread:idle").length === 2);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The claim, the user's message, the reply's one INSERT, the release; the two lookups above
    // (listMessages twice) are the test's own.
    expect(statements - before - 2).toBe(4);
  });

  it("shares the inserts and releases of messages sent at the same time: under 2 statements per message for 20 users at once", async () => {
    t = await startTestServer({ dialect: dialects[0]!, server: { chat: { heartbeatInterval: 3600 } } });
    const users = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const client = t.client();
        await client.login(`user-${i}`);
        const socket = await connectSocket(t, client);
        const log = new EventLog(socket);
        const { threadId } = await request(socket, "message:send", { content: "first" });
        await log.waitFor((e) => e.event === "thread:idle");
        return { socket, log, threadId };
      }),
    );
    const store = new ThreadStore(t.server.db);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const before = statements;
    const acks = await Promise.all(users.map(({ socket, threadId }) => request(socket, "message:send", { threadId, content: "at once" })));
    await Promise.all(users.map(({ log }) => log.waitFor((e) => e.event === "thread:idle" && log.of("thread:idle").length === 2)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const perMessage = (statements - before) / users.length;

    expect(acks.every((ack) => ack.ok)).toBe(true);
    for (const { threadId } of users) {
      const rows = await store.listMessages(threadId);
      expect(rows.slice(2).map((row) => [row.role, row.content, row.status])).toEqual([
        ["user", "at once", "complete"],
        ["assistant", "at once ", "complete"],
      ]);
      const thread = await t.server.db.selectFrom("threads").select("run_owner").where("id", "=", threadId).executeTakeFirstOrThrow();
      expect(thread.run_owner).toBeNull();
    }
    // One claim each; the user's message, the reply and the release shared with the others.
    expect(perMessage).toBeLessThan(2);
  });
});
