import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  connectSocket,
  dialects,
  eventually,
  EventLog,
  redisIsAvailable,
  redisTestUrl,
  registerCleanup,
  request,
  type ClientSocket,
  type TestClient,
  type TestDatabase,
} from "@parlor/test-support";
import { startBlackholeProxy } from "./helpers/blackhole-proxy.js";
import { rawUpload } from "./helpers/raw-upload.js";
import { startNodePair, type NodePair } from "./helpers/node-pair.js";
import type { ServerProcess } from "./helpers/server-process.js";

/**
 * Limits across nodes: two real `parlor run` processes sharing PostgreSQL and Redis (a prefix
 * of their own per test), as in cluster.test.ts. Each limit is pushed over by spreading the
 * attempts over both nodes, where each node alone would still have let them through.
 */
const postgres = dialects.find((dialect) => dialect.name === "postgres");
const redisUp = await redisIsAvailable();
const PASSWORD = "correct horse battery staple";

describe.skipIf(postgres === undefined || !redisUp)("limits shared by two nodes", { timeout: 60_000 }, () => {
  let database: TestDatabase;
  const pairs: NodePair[] = [];

  beforeEach(async () => {
    database = await postgres!.create();
  });
  afterEach(async () => {
    for (const pair of pairs.splice(0)) await pair.stop();
    await database.dispose();
  });

  /** Two nodes of one app (helpers/node-pair.ts); `onlyB` for node B alone; Redis through `redisUrl` when given. */
  const twoNodes = async (env: Record<string, string>, onlyB: Record<string, string> = {}, redisUrl = redisTestUrl) => {
    const pair = await startNodePair({ databaseUrl: database.url, env: { PARLOR_REDIS_URL: redisUrl, ...env }, envB: onlyB });
    pairs.push(pair);
    return pair;
  };
  const loggedIn = async (node: ServerProcess, username = "alice") => {
    const client = node.client();
    expect((await client.login(username, PASSWORD)).status).toBe(200);
    return client;
  };
  /** The socket's refusal code, or "connected". */
  const tryToConnect = (node: ServerProcess, client: TestClient) =>
    connectSocket(node, client).then(
      () => "connected",
      (error: Error & { data?: { code?: string } }) => error.data?.code ?? error.message,
    );

  it("ten failed logins spread over A and B trip the limit: the next attempt is 429 on both, with Retry-After", async () => {
    const { a, b } = await twoNodes({ PARLOR_LOGIN_RATE_LIMIT: "10", PARLOR_LOGIN_SLOWDOWN_AFTER: "1000" });
    for (let i = 0; i < 10; i++) {
      const node = i % 2 === 0 ? a : b;
      expect((await node.client().login("alice", `guess ${i}`)).status).toBe(401);
    }
    for (const node of [a, b]) {
      const refused = await node.client().login("alice", "one more guess");
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe("rate_limited");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      // The right password does not get through either: the guessing address is blocked.
      expect((await node.client().login("alice", PASSWORD)).status).toBe(429);
    }
  });

  it("chat events per user: a burst spent through A leaves nothing for the same user's tab on B", async () => {
    const { a, b } = await twoNodes({ PARLOR_CHAT_EVENT_BURST: "6", PARLOR_CHAT_EVENTS_PER_SECOND: "1" });
    const tabOnA = await connectSocket(a, await loggedIn(a));
    const tabOnB = await connectSocket(b, await loggedIn(b));
    /** Fires `count` cheap events (resume of an unknown thread); answers and refusals. */
    const spend = async (tab: ClientSocket, count: number) => {
      const log = new EventLog(tab);
      let answered = 0;
      for (let i = 0; i < count; i++) tab.emit("thread:resume", { threadId: "no-such-thread" }, () => answered++);
      // An event let through is answered (a failure, `not_found`, is also sent as an `error`);
      // one over the limit gets only an `error`, `rate_limited`.
      const refused = () => log.of("error").filter((error) => error.code === "rate_limited");
      await eventually("every event answered or refused", () => answered + refused().length === count);
      return { answered, refused: refused().length };
    };
    expect(await spend(tabOnA, 6)).toEqual({ answered: 6, refused: 0 });
    // B's own bucket is full; the user's count over both nodes is not.
    expect(await spend(tabOnB, 3)).toEqual({ answered: 0, refused: 3 });
  });

  it("sockets per user: the cap counts the user's sockets on both nodes, and a closed one frees a place on the other", async () => {
    const { a, b } = await twoNodes({ PARLOR_CHAT_MAX_SOCKETS_PER_USER: "3" });
    const onA = await loggedIn(a);
    const onB = await loggedIn(b);
    const first = await connectSocket(a, onA);
    await connectSocket(a, onA);
    await connectSocket(b, onB);
    expect(await tryToConnect(b, onB)).toBe("rate_limited");
    expect(await tryToConnect(a, onA)).toBe("rate_limited");
    // Another user is not affected.
    expect(await tryToConnect(b, await loggedIn(b, "bob"))).toBe("connected");

    first.close();
    await eventually("B to accept a socket once one closed on A", async () => (await tryToConnect(b, onB)) === "connected");
    expect(await tryToConnect(a, onA)).toBe("rate_limited");
  });

  it("running replies per user: the cap counts replies running on both nodes, and a finished one frees a place", async () => {
    // A's replies end after about 2 s, B's never. Events are not under test here: an event
    // refused for its rate would never be answered.
    const { a, b } = await twoNodes(
      {
        PARLOR_CHAT_MAX_RUNS_PER_USER: "2",
        PARLOR_CHAT_EVENT_BURST: "1000",
        PARLOR_CHAT_EVENTS_PER_SECOND: "1000",
        TEST_REPLY: "words:100",
        TEST_REPLY_EVERY_MS: "20",
      },
      { TEST_REPLY: "endless" },
    );
    const tabOnA = await connectSocket(a, await loggedIn(a));
    const tabOnB = await connectSocket(b, await loggedIn(b));
    const seenOnA = new EventLog(tabOnA);
    const first = await request(tabOnA, "message:send", { content: "one" });
    expect(first.ok).toBe(true);
    expect((await request(tabOnB, "message:send", { content: "two" })).ok).toBe(true);
    const refused = { ok: false, error: expect.objectContaining({ code: "rate_limited" }) };
    for (const tab of [tabOnA, tabOnB]) expect(await request(tab, "message:send", { content: "three" })).toEqual(refused);

    await seenOnA.waitFor((e) => e.event === "thread:idle" && e.data.threadId === first.threadId, 10_000);
    // B's own reply still runs: the place B gets is the one A gave back.
    await eventually("B to accept a message once the reply on A ended", async () => (await request(tabOnB, "message:send", { content: "three" })).ok === true);
    expect(await request(tabOnA, "message:send", { content: "four" })).toEqual(refused);
  });

  it("upload quota: uploads per minute count on both nodes", async () => {
    const { a, b } = await twoNodes({ PARLOR_FILES_UPLOADS_PER_MINUTE: "4" });
    const onA = await loggedIn(a);
    const onB = await loggedIn(b);
    const upload = (client: TestClient, node: ServerProcess) => rawUpload(client, node.origin);
    for (const [client, node] of [
      [onA, a],
      [onB, b],
      [onA, a],
      [onB, b],
    ] as const)
      expect((await upload(client, node)).status).toBe(201);
    for (const [client, node] of [
      [onA, a],
      [onB, b],
    ] as const) {
      const refused = await upload(client, node);
      expect(refused.status).toBe(429);
      expect(refused.body).toContain('"code":"rate_limited"');
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    }
    // Per user: another user uploads as usual.
    expect((await upload(await loggedIn(b, "bob"), b)).status).toBe(201);
  });

  it("a node killed with -9 never gives its sockets back itself: within 15 s the other nodes stop counting them", async () => {
    const { a, b } = await twoNodes({ PARLOR_CHAT_MAX_SOCKETS_PER_USER: "2" });
    const onA = await loggedIn(a);
    await connectSocket(a, onA);
    await connectSocket(a, onA);
    const onB = await loggedIn(b);
    expect(await tryToConnect(b, onB)).toBe("rate_limited");

    a.child.kill("SIGKILL");
    const diedAt = (await a.exited).at;
    await eventually("B to stop counting the dead node's sockets", async () => (await tryToConnect(b, onB)) === "connected", 25_000, 250);
    const after = Date.now() - diedAt;
    console.info(`sockets of a node killed with -9 no longer counted after ${after} ms`);
    expect(after).toBeLessThan(20_000);
  });

  it("Redis away: each node counts alone, at once, and writes its counts back when Redis returns", async () => {
    const proxy = await startBlackholeProxy(Number(new URL(redisTestUrl).port || 6379));
    registerCleanup(() => proxy.close());
    const { a, b } = await twoNodes(
      { PARLOR_LOGIN_RATE_LIMIT: "4", PARLOR_LOGIN_SLOWDOWN_AFTER: "1000", PARLOR_CHAT_MAX_SOCKETS_PER_USER: "2" },
      {},
      `redis://127.0.0.1:${proxy.port}`,
    );
    const onA = await loggedIn(a, "carol");
    const onB = await loggedIn(b, "carol");
    const redisCheck = async (node: ServerProcess) => ((await (await fetch(`${node.origin}/readyz`)).json()) as { checks: { redis: string } }).checks.redis;

    proxy.blackhole();
    for (const node of [a, b]) await eventually("the node to see Redis gone", async () => (await redisCheck(node)) === "unreachable");
    // Login attempts: A counts in its memory, and answers without waiting for Redis.
    for (let i = 0; i < 4; i++) expect((await a.client().login("alice", `guess ${i}`)).status).toBe(401);
    const started = Date.now();
    expect((await a.client().login("alice", "guess")).status).toBe(429);
    // Not a performance bound: a refusal that waited for Redis would take its retry timeouts.
    expect(Date.now() - started).toBeLessThan(3000);
    // Sockets: each node holds the cap alone meanwhile.
    await connectSocket(a, onA);
    await connectSocket(a, onA);
    expect(await tryToConnect(a, onA)).toBe("rate_limited");

    proxy.forward();
    for (const node of [a, b]) await eventually("the node to see Redis back", async () => (await redisCheck(node)) === "ok", 15_000, 100);
    // A wrote the two sockets it opened meanwhile (before it answered the PING that said
    // Redis was back: one connection, in order), and B counts them.
    expect(await tryToConnect(b, onB)).toBe("rate_limited");
  });
});
