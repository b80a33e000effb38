import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, resolveDatabaseConfig } from "parlor";
import { io } from "socket.io-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ClientSocket, dialects, EventLog, registerCleanup, request, type TestClient, type TestDatabase } from "@parlor/test-support";
import { startServerProcess, type ServerProcess, type ServerProcessOptions } from "./helpers/server-process.js";

/**
 * Replies across the end of a process: real `parlor run` processes, stopped with SIGTERM
 * (graceful) or SIGKILL (a crash), on one database.
 */
describe.each(dialects)("replies across process ends on $name", (dialect) => {
  let database: TestDatabase;
  let dataDir: string;
  const running: ServerProcess[] = [];

  beforeEach(async () => {
    database = await dialect.create();
    dataDir = mkdtempSync(join(tmpdir(), "parlor-data-"));
  });
  afterEach(async () => {
    for (const server of running.splice(0)) {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
      await server.exited;
    }
    await database.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (env: Record<string, string>, options: Partial<ServerProcessOptions> = {}) => {
    const server = await startServerProcess({ databaseUrl: database.url, dataDir, env, ...options });
    running.push(server);
    return server;
  };
  const loggedIn = async (server: ServerProcess) => {
    const client = server.client();
    expect((await client.login("alice")).status).toBe(200);
    return client;
  };
  /** A stock socket.io client: no @parlor/react, default reconnection (fast, for the test). */
  const connect = (origin: string, client: TestClient, reconnection = false) =>
    new Promise<ClientSocket>((resolve, reject) => {
      const socket: ClientSocket = io(origin, {
        transports: ["websocket"],
        extraHeaders: { origin, cookie: `${client.cookieName}=${client.sessionCookie}` },
        auth: { csrfToken: client.csrfToken },
        reconnection,
        reconnectionDelay: 100,
        reconnectionDelayMax: 500,
        forceNew: true,
      });
      registerCleanup(() => void socket.close());
      socket.once("connect", () => resolve(socket));
      socket.once("connect_error", reject);
    });
  const assistantRows = async () => {
    const db = await openDatabase(resolveDatabaseConfig({ PARLOR_DATABASE_URL: database.url }));
    try {
      return await db.selectFrom("messages").select(["thread_id", "content", "status"]).where("role", "=", "assistant").orderBy("id").execute();
    } finally {
      await db.destroy();
    }
  };
  const waitForRows = async (check: (rows: Awaited<ReturnType<typeof assistantRows>>) => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await assistantRows();
      if (check(rows)) return rows;
      if (Date.now() > deadline) throw new Error(`rows never matched: ${JSON.stringify(rows)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const deltas = (log: EventLog, count: number) => log.waitFor(() => log.of("message:delta").length >= count, 10_000);
  /** SIGTERM starts the shutdown; the server stops listening first. */
  const stopsListening = async (server: ServerProcess) => {
    for (;;) {
      if (
        !(await fetch(`${server.origin}/healthz`).then(
          (r) => r.ok,
          () => false,
        ))
      )
        return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it("SIGTERM lets a reply that fits in the grace period finish, refusing new messages meanwhile", async () => {
    const server = await start({ TEST_REPLY: "words:8", PARLOR_SHUTDOWN_GRACE: "10" });
    const socket = await connect(server.origin, await loggedIn(server));
    const log = new EventLog(socket);
    const { threadId } = await request(socket, "message:send", { content: "go" });
    await deltas(log, 1);

    server.child.kill("SIGTERM");
    await stopsListening(server);
    const refused = await request(socket, "message:send", { content: "one more" });
    expect(refused).toMatchObject({ ok: false, error: { code: "unavailable" } });

    const end = await log.waitFor((e) => e.event === "message:end", 10_000);
    expect(end.data).toMatchObject({ threadId, status: "complete" });
    expect((await server.exited).code).toBe(0);
    const rows = await assistantRows();
    expect(rows).toEqual([{ thread_id: threadId, status: "complete", content: "word0 word1 word2 word3 word4 word5 word6 word7 " }]);
  });

  it("SIGTERM cuts an endless reply after the grace period: stored interrupted with its text, and the process exits", async () => {
    const server = await start({ TEST_REPLY: "endless", PARLOR_SHUTDOWN_GRACE: "1" });
    const socket = await connect(server.origin, await loggedIn(server));
    const log = new EventLog(socket);
    const disconnected = new Promise<string>((resolve) => socket.once("disconnect", resolve));
    const { threadId } = await request(socket, "message:send", { content: "never stop" });
    await deltas(log, 3);

    const signalledAt = Date.now();
    server.child.kill("SIGTERM");
    const exit = await server.exited;
    expect(exit.code).toBe(0);
    // The app ignores chat.signal and keeps a timer running: only the grace period holds the
    // process, plus a margin for the last writes and a slow machine.
    expect(exit.at - signalledAt).toBeLessThan(1000 + 5000);

    expect(log.of("message:end")).toEqual([{ threadId, messageId: expect.any(String), status: "interrupted" }]);
    // A transport close, which stock clients answer by reconnecting ("io server disconnect" stops them).
    expect(await disconnected).toBe("transport close");
    const [row] = await assistantRows();
    expect(row!.status).toBe("interrupted");
    expect(row!.content).toMatch(/^word0 word1 word2 /);
  });

  it("kill -9 mid-reply: the restarted server stores it interrupted before taking messages, and the thread takes messages again", async () => {
    const first = await start({ TEST_REPLY: "endless" });
    const socket = await connect(first.origin, await loggedIn(first));
    const log = new EventLog(socket);
    const { threadId } = await request(socket, "message:send", { content: "crash during this" });
    await deltas(log, 3);
    await waitForRows((rows) => rows[0]?.content !== ""); // the partial text reached the database
    first.child.kill("SIGKILL");
    await first.exited;
    expect((await assistantRows())[0]!.status).toBe("streaming");

    const second = await start({ TEST_REPLY: "words:2" });
    const [recovered] = await assistantRows();
    expect(recovered!.status).toBe("interrupted");
    expect(recovered!.content).toMatch(/^word0 word1 /);

    const alice = await loggedIn(second);
    const thread = await alice.get(`/api/threads/${threadId}`);
    expect(thread.body.messages.map((m: { status: string }) => m.status)).toEqual(["complete", "interrupted"]);
    const again = await connect(second.origin, alice);
    const againLog = new EventLog(again);
    expect(await request(again, "message:send", { threadId, content: "and now?" })).toMatchObject({ ok: true, threadId });
    const end = await againLog
      .waitFor((e) => e.event === "message:end", 10_000)
      .catch((error: unknown) => {
        throw new Error(`${String(error)}\n${second.output()}`);
      });
    expect(end.data.status).toBe("complete");
  });

  it("two processes on one database: a sibling starting leaves a live reply alone, and interrupts it once its process is killed", async () => {
    const beat = { PARLOR_CHAT_HEARTBEAT_INTERVAL: "1" };
    const a = await start({ TEST_REPLY: "endless", ...beat });
    const socket = await connect(a.origin, await loggedIn(a));
    const log = new EventLog(socket);
    await request(socket, "message:send", { content: "long one" });
    await deltas(log, 1);

    await start({ TEST_REPLY: "endless", ...beat });
    // B has started and beaten (and recovered) twice since: A's reply is still A's. Time under
    // test: the heartbeats run on the processes' real clocks.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await assistantRows())[0]!.status).toBe("streaming");
    expect(log.of("message:end")).toEqual([]);

    const killedAt = Date.now();
    a.child.kill("SIGKILL");
    await a.exited;
    // Within the staleness bound (3 heartbeats) plus one beat of B's.
    await waitForRows((rows) => rows[0]?.status === "interrupted", (3 + 1) * 1000 + 2000);
    expect(Date.now() - killedAt).toBeLessThan((3 + 1) * 1000 + 2000);
  });

  it("two processes on one database: a message to a thread answered by the other process is busy, until that process is gone and the survivor announces the reply interrupted", async () => {
    const beat = { PARLOR_CHAT_HEARTBEAT_INTERVAL: "1" };
    const a = await start({ TEST_REPLY: "endless", ...beat });
    const b = await start({ TEST_REPLY: "words:1", ...beat });
    const alice = await loggedIn(a);
    const onA = await connect(a.origin, alice);
    const logA = new EventLog(onA);
    const { threadId } = await request(onA, "message:send", { content: "long one" });
    await deltas(logA, 1);

    // The same user through the other process.
    const onB = await connect(b.origin, await loggedIn(b));
    const refused = await request(onB, "message:send", { threadId, content: "me too" });
    expect(refused).toMatchObject({ ok: false, error: { code: "busy", threadId } });
    expect((await assistantRows()).map((row) => row.status)).toEqual(["streaming"]);

    const logB = new EventLog(onB);
    const replyId = logA.of("message:new").find((m) => m.role === "assistant").messageId as string;
    a.child.kill("SIGKILL");
    await a.exited;
    await waitForRows((rows) => rows[0]?.status === "interrupted", (3 + 1) * 1000 + 2000);
    // The process that marked it tells the user's clients it has: the reply ended, the thread is free.
    const told = await logB.waitFor((e) => e.event === "message:end");
    expect(told.data).toEqual({ threadId, messageId: replyId, status: "interrupted" });
    await logB.waitFor((e) => e.event === "thread:idle" && e.data.threadId === threadId);
    expect(await request(onB, "message:send", { threadId, content: "my turn" })).toMatchObject({ ok: true, threadId });
    expect((await logB.waitFor((e) => e.event === "message:end" && e.data.messageId !== replyId, 10_000)).data.status).toBe("complete");
  });

  it("a stock socket.io client reconnects by itself after a graceful restart on the same port", async () => {
    const first = await start({ TEST_REPLY: "words:1" });
    const alice = await loggedIn(first);
    const socket = await connect(first.origin, alice, true);
    const reconnected = new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    first.child.kill("SIGTERM");
    expect((await first.exited).code).toBe(0);

    const second = await start({ TEST_REPLY: "words:1" }, { port: first.port });
    await reconnected;
    expect(socket.connected).toBe(true);
    const log = new EventLog(socket);
    expect(await request(socket, "message:send", { content: "still here" })).toMatchObject({ ok: true });
    expect((await log.waitFor((e) => e.event === "message:end")).data.status).toBe("complete");
    expect(second.origin).toBe(first.origin);
  });
});
