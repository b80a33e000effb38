import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  connectSocket,
  dialects,
  eventually,
  EventLog,
  freePort,
  redisIsAvailable,
  redisTestPrefix,
  redisTestUrl,
  registerCleanup,
  request,
  waitForEvent,
  type TestClient,
  type TestDatabase,
} from "@parlor/test-support";
import { startBlackholeProxy } from "./helpers/blackhole-proxy.js";
import { sameBrowserOn, startNodePair, type NodePair } from "./helpers/node-pair.js";
import { startPrivateRedis } from "./helpers/private-redis.js";
import { startServerProcess, type ServerProcess } from "./helpers/server-process.js";

/**
 * Several nodes: two real `parlor run` processes on loopback, one PostgreSQL schema and one
 * Redis (a prefix of their own per test, so parallel runs never hear each other). They share
 * the public URL, as nodes behind one load balancer do, so a cookie set by one is sent to the
 * other; the tests talk to each node directly, as the balancer would.
 */
const postgres = dialects.find((dialect) => dialect.name === "postgres");
const redisUp = await redisIsAvailable();

// Two processes start in a few seconds on a busy machine, and the outage test waits for reconnections.
describe.skipIf(postgres === undefined || !redisUp)("two nodes on PostgreSQL and Redis", { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let prefix: string;
  const pairs: NodePair[] = [];

  beforeEach(async () => {
    database = await postgres!.create();
    prefix = redisTestPrefix();
  });
  afterEach(async () => {
    for (const pair of pairs.splice(0)) await pair.stop();
    await database.dispose();
  });

  /** Two nodes of one app (helpers/node-pair.ts), on this test's Redis prefix, through `redisUrl` when given. */
  const twoNodes = async (env: Record<string, string> = {}, redisUrl = redisTestUrl) => {
    const pair = await startNodePair({ databaseUrl: database.url, env: { PARLOR_REDIS_URL: redisUrl, PARLOR_REDIS_PREFIX: prefix, ...env } });
    pairs.push(pair);
    return pair;
  };
  const loggedIn = async (node: ServerProcess, username = "alice") => {
    const client = node.client();
    expect((await client.login(username, "correct horse battery staple")).status).toBe(200);
    return client;
  };
  /** Polls `GET /auth/me` until it is refused; the time (ms) it was first refused. */
  const refusedAt = async (client: TestClient, timeoutMs = 2000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = (await client.get("/auth/me")).status;
      if (status === 401) return Date.now();
      expect(status).toBe(200);
      if (Date.now() > deadline) throw new Error(`the cookie still works after ${timeoutMs} ms`);
    }
  };
  const readyz = async (node: ServerProcess) => {
    const response = await fetch(`${node.origin}/readyz`);
    return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, string> } };
  };
  const percentile = (values: number[], p: number) => [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;

  it("a login on A works on B: the cookie, a CSRF-checked request and a socket", async () => {
    const { a, b } = await twoNodes();
    const onA = await loggedIn(a);
    const onB = sameBrowserOn(onA, b);
    const me = await onB.get("/auth/me");
    expect(me.status).toBe(200);
    expect(me.body.user.identifier).toBe("alice");
    const sessions = await onB.get("/auth/sessions");
    expect(sessions.status).toBe(200);
    expect(sessions.body.sessions).toHaveLength(1);
    await expect(connectSocket(b, onB)).resolves.toBeDefined();
  });

  it("logout on B: A refuses the cookie it had cached and drops that session's sockets, every time over 100 logouts (not by the token's expiry)", async () => {
    const { a, b } = await twoNodes();
    const refused: number[] = [];
    const dropped: number[] = [];
    for (let i = 0; i < 100; i++) {
      const onA = await loggedIn(a);
      // Verified once on A: from here A answers from its fast path, with no database read.
      expect((await onA.get("/auth/me")).status).toBe(200);
      const socket = await connectSocket(a, onA);
      const disconnected = new Promise<number>((resolve) => socket.once("disconnect", () => resolve(Date.now())));
      const onB = sameBrowserOn(onA, b);
      expect((await onB.post("/auth/logout")).status).toBe(204);
      const loggedOutAt = Date.now();
      refused.push((await refusedAt(onA)) - loggedOutAt);
      dropped.push(Math.max(0, (await disconnected) - loggedOutAt));
    }
    const summary = (values: number[]) => `p50 ${percentile(values, 50)} ms, p99 ${percentile(values, 99)} ms, max ${Math.max(...values)} ms`;
    console.info(`revocation across nodes, 100 logouts on B: cookie refused on A after ${summary(refused)}; socket on A dropped after ${summary(dropped)}`);
    // The times are reported, not asserted (the machine's load decides them): the benchmark
    // measures them (`npm run bench -- --only cluster`). What is asserted is that the feed
    // carried every logout: `refusedAt` fails past 2 s, long before the token would expire.
    expect(refused).toHaveLength(100);
    expect(dropped).toHaveLength(100);
  });

  it("revoking one session, then all, on A makes B refuse them", async () => {
    const { a, b } = await twoNodes();
    const first = await loggedIn(b);
    const second = await loggedIn(b);
    const third = await loggedIn(b);
    for (const client of [first, second, third]) expect((await client.get("/auth/me")).status).toBe(200);

    const onA = sameBrowserOn(first, a);
    const secondId = (await second.get("/auth/me")).body.session.id as string;
    expect((await onA.delete(`/auth/sessions/${secondId}`)).status).toBe(204);
    await refusedAt(second, 100);
    expect((await third.get("/auth/me")).status).toBe(200);

    expect((await onA.delete("/auth/sessions")).status).toBe(204);
    await refusedAt(third, 100);
    await refusedAt(first, 100);
  });

  it("a chat on A reaches the same user's tab on B, streamed", async () => {
    const { a, b } = await twoNodes({ TEST_REPLY: "words:3", TEST_REPLY_EVERY_MS: "20" });
    const tabOnA = await connectSocket(a, await loggedIn(a));
    const tabOnB = await connectSocket(b, await loggedIn(b));
    const seenOnB = new EventLog(tabOnB);

    const sent = await request(tabOnA, "message:send", { content: "hello from A" });
    expect(sent.ok).toBe(true);
    await seenOnB.waitFor((e) => e.event === "thread:idle" && e.data.threadId === sent.threadId);
    expect(seenOnB.of("thread:created")).toEqual([expect.objectContaining({ threadId: sent.threadId })]);
    expect(seenOnB.of("message:new").map((m) => [m.role, m.content])).toEqual([
      ["user", "hello from A"],
      ["assistant", ""],
    ]);
    expect(
      seenOnB
        .of("message:delta")
        .map((d) => d.delta)
        .join(""),
    ).toBe("word0 word1 word2 ");
    expect(seenOnB.of("message:end")).toEqual([expect.objectContaining({ status: "complete" })]);
  });

  it("thread:resume on B of a reply streaming on A returns A's live text, ahead of what the database has", async () => {
    // A word every 20 ms: the stored partial text (written every 250 ms) lags by up to a dozen words.
    const { a, b } = await twoNodes({ TEST_REPLY: "words:400", TEST_REPLY_EVERY_MS: "20" });
    const tabOnA = await connectSocket(a, await loggedIn(a));
    const tabOnB = await connectSocket(b, await loggedIn(b));
    const seenOnB = new EventLog(tabOnB);
    const sent = await request(tabOnA, "message:send", { content: "go" });
    expect(sent.ok).toBe(true);

    for (let attempt = 0; attempt < 3; attempt++) {
      await seenOnB.waitFor(() => seenOnB.of("message:delta").length >= 20 * (attempt + 1), 10_000);
      const seen = seenOnB
        .of("message:delta")
        .map((d) => d.delta)
        .join("");
      const resumed = await request(tabOnB, "thread:resume", { threadId: sent.threadId });
      expect(resumed.ok).toBe(true);
      const reply = resumed.thread.messages.find((m: { role: string }) => m.role === "assistant");
      expect(reply.status).toBe("streaming");
      // At least everything B's tab was sent before it asked: only A's memory has that.
      expect(reply.content.startsWith(seen)).toBe(true);
    }
    await request(tabOnA, "message:stop", { threadId: sent.threadId }).catch(() => undefined);
  });

  it("message:stop from a tab on B stops a reply A is streaming; another user's stops naming that thread stop nothing; one reply per thread holds over both nodes", async () => {
    const { a, b } = await twoNodes({ TEST_REPLY: "words:1000", TEST_REPLY_EVERY_MS: "20" });
    const alice = await loggedIn(a);
    const tabOnA = await connectSocket(a, alice);
    const seenOnA = new EventLog(tabOnA);
    // The same browser's second tab, which the balancer sent to B.
    const tabOnB = await connectSocket(b, sameBrowserOn(alice, b));
    const seenOnB = new EventLog(tabOnB);
    const kept = await request(tabOnA, "message:send", { content: "keep going" });
    const stopped = await request(tabOnA, "message:send", { content: "stop this one" });
    expect([kept.ok, stopped.ok]).toEqual([true, true]);
    await seenOnA.waitFor(() => seenOnA.of("message:delta").filter((d) => d.threadId === kept.threadId).length >= 3);

    // Bob, on B, names Alice's thread, then asks to stop all his own runs.
    const bobOnB = await connectSocket(b, await loggedIn(b, "bob"));
    bobOnB.emit("message:stop", { threadId: kept.threadId });
    bobOnB.emit("message:stop");
    // Answered after B handled the stops before it: B finds no such thread for Bob either.
    expect(await request(bobOnB, "thread:resume", { threadId: kept.threadId })).toEqual({ ok: false, error: expect.objectContaining({ code: "not_found" }) });
    // B sends the stops to A in the order it handled them (one Redis connection each way), so
    // by the time A ends Alice's second reply, it has handled Bob's.
    tabOnB.emit("message:stop", { threadId: stopped.threadId });
    const end = await seenOnA.waitFor((e) => e.event === "message:end" && e.data.threadId === stopped.threadId, 10_000);
    expect(end.data.status).toBe("stopped");
    const endAt = seenOnA.events.indexOf(end);
    // A's events reach its tab in the order A sends them: a delta after that end was streamed
    // after A handled Bob's stops.
    await seenOnA.waitFor((e) => seenOnA.events.indexOf(e) > endAt && e.event === "message:delta" && e.data.threadId === kept.threadId, 10_000);
    expect(seenOnA.of("message:end").filter((e) => e.threadId === kept.threadId)).toEqual([]);
    // Both of Alice's tabs are told, B's through Redis: the reply ended and the thread is free.
    await seenOnB.waitFor((e) => e.event === "thread:idle" && e.data.threadId === stopped.threadId, 10_000);
    expect(seenOnB.of("message:end").filter((e) => e.threadId === stopped.threadId)).toEqual([expect.objectContaining({ status: "stopped" })]);

    // A stop of every run, from B, reaches the one left on A.
    tabOnB.emit("message:stop");
    await seenOnB.waitFor((e) => e.event === "thread:idle" && e.data.threadId === kept.threadId, 10_000);
    expect(seenOnA.of("message:end").filter((e) => e.threadId === kept.threadId)).toEqual([expect.objectContaining({ status: "stopped" })]);
    expect(seenOnB.of("error")).toEqual([]);
    // Stored as stopped with the text streamed, and the thread takes a message on B.
    const resumed = await request(tabOnB, "thread:resume", { threadId: stopped.threadId });
    expect(resumed.thread.messages.map((m: { role: string; status: string }) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "stopped"],
    ]);
    const again = await request(tabOnB, "message:send", { threadId: stopped.threadId, content: "again" });
    expect(again.ok).toBe(true);
    // One reply per thread over both nodes: A refuses a message to the thread B answers in,
    // and of two messages sent at once through A and B to another thread, one is accepted.
    expect(await request(tabOnA, "message:send", { threadId: stopped.threadId, content: "me too" })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: "busy" }),
    });
    const both = await Promise.all([
      request(tabOnA, "message:send", { threadId: kept.threadId, content: "from A" }),
      request(tabOnB, "message:send", { threadId: kept.threadId, content: "from B" }),
    ]);
    expect(both.filter((answer) => answer.ok)).toHaveLength(1);
    expect(both.filter((answer) => !answer.ok)).toEqual([{ ok: false, error: expect.objectContaining({ code: "busy" }) }]);
    tabOnB.emit("message:stop");
  });

  it("Redis away: revocations still hold by reading session rows, a stop for another node answers unavailable, /readyz says degraded, and all recovers when Redis returns", async () => {
    const redisPort = Number(new URL(redisTestUrl).port || 6379);
    const proxy = await startBlackholeProxy(redisPort);
    registerCleanup(() => proxy.close());
    const { a, b } = await twoNodes({ TEST_REPLY: "words:2000", TEST_REPLY_EVERY_MS: "20" }, `redis://127.0.0.1:${proxy.port}`);
    expect(await readyz(a)).toEqual({ status: 200, body: { status: "ready", checks: { database: "ok", files: "ok", redis: "ok" } } });

    const revokedDuringOutage = await loggedIn(a);
    const keptDuringOutage = await loggedIn(a);
    for (const client of [revokedDuringOutage, keptDuringOutage]) expect((await client.get("/auth/me")).status).toBe(200);
    const socketOnA = await connectSocket(a, revokedDuringOutage);
    const socketDropped = waitForEvent(socketOnA, "disconnect", 20_000);
    // A reply streaming on A, and another tab of that browser on B.
    const tabOnA = await connectSocket(a, keptDuringOutage);
    const seenOnA = new EventLog(tabOnA);
    const tabOnB = await connectSocket(b, sameBrowserOn(keptDuringOutage, b));
    const streaming = await request(tabOnA, "message:send", { content: "a long one" });
    expect(streaming.ok).toBe(true);

    proxy.blackhole();
    const degraded = await eventually("A to report Redis away", async () => {
      const answer = await readyz(a);
      return answer.status === 503 ? answer : null;
    });
    expect(degraded.body.status).toBe("degraded");
    // `timeout` when the probe's PING went out on a connection just cut (it waits for a reconnection).
    expect(degraded.body.checks).toEqual({ database: "ok", files: "ok", redis: expect.stringMatching(/^(unreachable|timeout)$/) });
    await eventually("A to log the fallback", () => a.output().includes("lost the connection to Redis"));

    // B cannot reach A to stop the reply, and says so instead of holding the stop until Redis is back.
    await eventually("B to report Redis away", async () => (await readyz(b)).status === 503);
    const refusedStop = waitForEvent(tabOnB, "error", 5_000);
    tabOnB.emit("message:stop", { threadId: streaming.threadId });
    expect(await refusedStop).toEqual({ code: "unavailable", message: expect.stringContaining("stop"), threadId: streaming.threadId });

    // B cannot tell A; A reads the row instead of trusting its set, and refuses at once.
    expect((await sameBrowserOn(revokedDuringOutage, b).post("/auth/logout")).status).toBe(204);
    expect((await revokedDuringOutage.get("/auth/me")).status).toBe(401);
    expect((await keptDuringOutage.get("/auth/me")).status).toBe(200);

    proxy.forward();
    await eventually("A to be ready again", async () => (await readyz(a)).status === 200, 15_000, 100);
    await eventually("B to be ready again", async () => (await readyz(b)).status === 200, 15_000, 100);
    // The revocation made meanwhile was reloaded from the database: still refused, and A
    // dropped the socket of that session, which it had not heard about.
    expect((await revokedDuringOutage.get("/auth/me")).status).toBe(401);
    await socketDropped;
    expect((await keptDuringOutage.get("/auth/me")).status).toBe(200);
    // The reply streamed on through the outage; a stop from B reaches it again.
    expect(seenOnA.of("message:end")).toEqual([]);
    tabOnB.emit("message:stop", { threadId: streaming.threadId });
    const stopped = await seenOnA.waitFor((e) => e.event === "message:end", 10_000);
    expect(stopped.data).toEqual(expect.objectContaining({ threadId: streaming.threadId, status: "stopped" }));
    // Revocations flow live again.
    expect((await sameBrowserOn(keptDuringOutage, b).post("/auth/logout")).status).toBe(204);
    await refusedAt(keptDuringOutage, 100);
  });
  it("Redis stopped, then restarted empty: a logout meanwhile holds on the other node through session rows, and sockets, revocations and chat cross nodes again after", async () => {
    const redis = await startPrivateRedis();
    registerCleanup(() => redis.stop());
    const { a, b } = await twoNodes({ TEST_REPLY: "words:3", TEST_REPLY_EVERY_MS: "20" }, redis.url);
    const revoked = await loggedIn(a);
    const kept = await loggedIn(a);
    for (const client of [revoked, kept]) expect((await client.get("/auth/me")).status).toBe(200);
    const socketOnA = await connectSocket(a, revoked);
    const socketDropped = waitForEvent(socketOnA, "disconnect", 30_000);

    await redis.stop();
    await eventually("both nodes to report Redis away", async () =>
      (await Promise.all([a, b].map(readyz))).every((answer) => answer.status === 503 && answer.body.status === "degraded"),
    );
    expect((await sameBrowserOn(revoked, b).post("/auth/logout")).status).toBe(204);
    expect((await revoked.get("/auth/me")).status).toBe(401);
    expect((await kept.get("/auth/me")).status).toBe(200);

    await redis.start();
    await eventually("both nodes to be ready again", async () => (await Promise.all([a, b].map(readyz))).every((answer) => answer.status === 200), 20_000, 100);
    // A reloaded the revocation it missed, and dropped that session's socket.
    await socketDropped;
    expect((await revoked.get("/auth/me")).status).toBe(401);
    expect((await sameBrowserOn(kept, b).post("/auth/logout")).status).toBe(204);
    await refusedAt(kept, 2000);
    // socket.io's adapter listens again on the new Redis: a chat on B reaches a tab on A.
    const carolOnA = await loggedIn(a, "carol");
    const seenOnA = new EventLog(await connectSocket(a, carolOnA));
    const sent = await request(await connectSocket(b, sameBrowserOn(carolOnA, b)), "message:send", { content: "after the restart" });
    expect(sent.ok).toBe(true);
    await seenOnA.waitFor((e) => e.event === "message:end" && e.data.threadId === sent.threadId, 10_000);
  });
});

describe.skipIf(postgres === undefined || !redisUp)("start-up with Redis", () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await postgres!.create();
    registerCleanup(() => database.dispose());
  });

  /** `parlor run` with Redis at `url`; resolves with its exit code and output. */
  const startFails = async (url: string) => {
    const dataDir = mkdtempSync(join(tmpdir(), "parlor-cluster-"));
    registerCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
    const failure = await startServerProcess({
      databaseUrl: database.url,
      dataDir,
      env: { PARLOR_REDIS_URL: url, PARLOR_REDIS_STARTUP_TIMEOUT: "0", PARLOR_REDIS_PREFIX: redisTestPrefix() },
    }).then(
      (node) => {
        node.child.kill("SIGKILL");
        return null;
      },
      (error: unknown) => (error as Error).message,
    );
    expect(failure, "the server started").not.toBeNull();
    return failure!;
  };

  it("refuses to start when Redis is unreachable, in one line naming the URL", async () => {
    const port = await freePort();
    const output = await startFails(`redis://127.0.0.1:${port}`);
    expect(output).toContain(`could not reach Redis at redis://127.0.0.1:${port} within 0 s: ECONNREFUSED. Check PARLOR_REDIS_URL`);
  });

  it("refuses to start when Redis refuses the password, without printing it", async () => {
    const redis = await startPrivateRedis(["--requirepass", "right-password"]);
    registerCleanup(() => redis.stop());
    const { port } = redis;
    const output = await startFails(`redis://:wrong-password@127.0.0.1:${port}`);
    expect(output).toContain(`Redis at redis://127.0.0.1:${port} (password hidden) refused the login: WRONGPASS`);
    expect(output).not.toContain("wrong-password");
  });
});
