import { afterEach, describe, expect, it, vi } from "vitest";
import { BrowserJar } from "./helpers/browser-jar.js";
import { browser, closeBrowsers, sleep } from "./helpers/clients.js";
import { PASSWORD, startParlor, type TestParlor } from "./helpers/parlor-server.js";

let t: TestParlor;
afterEach(async () => {
  closeBrowsers();
  await t?.stop();
});

const connected = async (client: { connection: { getSnapshot(): { state: string } } }, timeout = 2000) =>
  vi.waitFor(() => expect(client.connection.getSnapshot().state).toBe("connected"), { timeout });

describe("the realtime connection", () => {
  it("opens one socket on login, none before, and closes it on logout", async () => {
    t = await startParlor();
    const { client } = browser(t);
    await client.start();
    expect(client.socket).toBeNull();
    expect(client.connection.getSnapshot().state).toBe("disconnected");

    await client.auth.login("alice", PASSWORD);
    await connected(client);
    const socket = client.socket!;
    expect(t.server.fastify.server.listenerCount("upgrade")).toBeGreaterThan(0);

    await client.auth.logout();
    expect(client.socket).toBeNull();
    expect(socket.connected).toBe(false);
    expect(client.connection.getSnapshot().state).toBe("disconnected");
  });

  it("renews an expired cookie through /auth/me once and reconnects (the socket cannot renew it)", async () => {
    t = await startParlor();
    const { client } = browser(t);
    await client.start();
    await client.auth.login("alice", PASSWORD);
    await connected(client);
    const meBefore = t.count("GET", "/auth/me");

    t.clock.advance(20 * 60); // past the 15-minute JWT, well within the session's idle limit
    client.socket!.disconnect().connect(); // the handshake now carries an expired JWT

    await connected(client);
    expect(t.count("GET", "/auth/me") - meBefore).toBe(1);
    expect(client.auth.getSnapshot().status).toBe("authenticated");
  });

  it("refreshes a stale CSRF token once when the handshake is refused as csrf", async () => {
    t = await startParlor();
    const jar = new BrowserJar(t.origin);
    const tabA = browser(t, jar).client;
    const tabB = browser(t, jar).client;
    await tabA.auth.login("alice", PASSWORD);
    await tabB.start();
    await connected(tabB);
    const socketB = tabB.socket!;
    socketB.disconnect(); // offline for a moment…
    await tabA.auth.login("alice", PASSWORD); // …while the other tab starts a new session
    const meBefore = t.count("GET", "/auth/me");

    socketB.connect(); // new cookie, old token → refused as csrf → /auth/me → retried
    await connected(tabB);
    expect(t.count("GET", "/auth/me") - meBefore).toBe(1);
    expect(tabB.auth.getSnapshot().session?.id).toBe(tabA.auth.getSnapshot().session?.id);
  });

  it("keeps retrying a handshake refused for now (the session's socket cap) and connects once a place frees up", async () => {
    t = await startParlor({ server: { chat: { maxSocketsPerSession: 1 } } });
    const jar = new BrowserJar(t.origin);
    const tabA = browser(t, jar).client;
    const tabB = browser(t, jar).client;
    await tabA.start();
    await tabA.auth.login("alice", PASSWORD);
    await connected(tabA);
    await tabB.start();
    // Refused with rate_limited: socket.io would leave it there; the client waits and retries.
    await vi.waitFor(() => expect(tabB.socket?.connected).toBe(false), { timeout: 2000 });
    await sleep(300);
    expect(tabB.connection.getSnapshot().state).toBe("connecting");
    expect(tabB.connection.getSnapshot().error).toBeNull();

    tabA.socket!.disconnect(); // the other tab goes away
    await connected(tabB, 10_000);
  });

  it("gives up after one refresh when the server keeps refusing the handshake", async () => {
    t = await startParlor();
    const jar = new BrowserJar(t.origin);
    let staleCookie: string | null = null;
    const { client } = browser(t, jar, {
      // A socket that always presents the first cookie, even after /auth/me renewed it: once
      // that JWT has expired, socket.io refuses it as unauthenticated every time.
      socketOptions: () => {
        const options = jar.socketOptions();
        staleCookie ??= options.extraHeaders.cookie ?? null;
        return staleCookie === null ? options : { ...options, extraHeaders: { ...options.extraHeaders, cookie: staleCookie } };
      },
    });
    await client.start();
    await client.auth.login("alice", PASSWORD);
    await connected(client);
    t.clock.advance(20 * 60);
    const meBefore = t.count("GET", "/auth/me");
    client.socket!.disconnect().connect();
    await vi.waitFor(() => expect(client.connection.getSnapshot()).toMatchObject({ state: "disconnected", error: { code: "unauthenticated" } }));
    await sleep(500);
    expect(t.count("GET", "/auth/me") - meBefore).toBe(1);
    expect(client.auth.getSnapshot().status).toBe("authenticated"); // HTTP still works
  });

  it("follows the session when the server drops the socket: reconnects if /auth/me says it lives", async () => {
    t = await startParlor();
    const jar = new BrowserJar(t.origin);
    const tabA = browser(t, jar).client;
    const tabB = browser(t, jar).client;
    await tabA.start();
    await tabA.auth.login("alice", PASSWORD);
    await tabB.start();
    await connected(tabB);
    const first = tabB.auth.getSnapshot().session!.id;

    await tabA.auth.login("alice", PASSWORD); // revokes session 1: the server drops both sockets
    await vi.waitFor(() => expect(tabB.auth.getSnapshot().session?.id).not.toBe(first));
    await connected(tabB);
    await connected(tabA);
    expect(tabB.auth.getSnapshot().status).toBe("authenticated");
  });

  it("comes back after a server restart: keeps asking /auth/me with a delay, then reconnects and resumes", async () => {
    t = await startParlor();
    const { client } = browser(t);
    await client.start();
    await client.auth.login("alice", PASSWORD);
    await connected(client);
    const chat = client.createChat();
    const stopChat = chat.subscribe(() => undefined);
    await chat.send("before the restart");
    await vi.waitFor(() => expect(chat.getSnapshot().status).toBe("idle"));

    await t.down(); // the server drops every socket, then goes away
    await vi.waitFor(() => expect(client.connection.getSnapshot().state).toBe("connecting"));
    await sleep(600); // /auth/me is refused at least once
    expect(client.auth.getSnapshot().status).toBe("authenticated"); // an unreachable server is no logout

    await t.up();
    await connected(client, 10_000); // at the next attempt of the back-off
    await vi.waitFor(() => expect(chat.getSnapshot().messages.map((m) => m.content)).toEqual(["before the restart", "before the restart "]));
    expect(client.auth.getSnapshot().status).toBe("authenticated");
    stopChat();
  }, 20_000);

  it("after a restart that cuts the transport, retries at most ~2 s apart, reconnects without /auth/me, and resumes", async () => {
    t = await startParlor();
    const { client } = browser(t);
    await client.start();
    await client.auth.login("alice", PASSWORD);
    await connected(client);
    const manager = client.socket!.io;
    // The configured back-off: fast first retries with jitter, capped at 2 s.
    expect(manager.reconnectionDelay()).toBeLessThanOrEqual(500);
    expect(manager.reconnectionDelayMax()).toBeLessThanOrEqual(2_000);
    expect(manager.randomizationFactor()).toBeGreaterThan(0);
    const chat = client.createChat();
    const stopChat = chat.subscribe(() => undefined);
    await chat.send("before the crash");
    await vi.waitFor(() => expect(chat.getSnapshot().messages).toHaveLength(2));
    const attempts: number[] = [];
    manager.on("reconnect_attempt", () => attempts.push(Date.now()));
    const meBefore = t.count("GET", "/auth/me");

    await t.down({ abrupt: true }); // the client sees "transport close", as after a crash
    await vi.waitFor(() => expect(client.connection.getSnapshot().state).toBe("connecting"));
    await sleep(7_000); // long enough for the back-off to reach its cap
    await t.up();
    await connected(client, 10_000);
    attempts.push(Date.now()); // the attempt that got through

    // Each wait is at most the 2 s cap plus a refused connection on loopback; 3 s leaves room
    // for a loaded machine. (socket.io's defaults wait up to 5 s, a growing delay up to 8 s.)
    const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
    expect(attempts.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...gaps)).toBeLessThan(3_000);
    expect(t.count("GET", "/auth/me") - meBefore).toBe(0); // an ordinary reconnection
    await vi.waitFor(() => expect(chat.getSnapshot().messages.map((m) => m.content)).toEqual(["before the crash", "before the crash "]));
    stopChat();
  }, 30_000);

  it("while an older server that drops sockets on shutdown is away, asks /auth/me at most ~2 s apart, then reconnects", async () => {
    t = await startParlor();
    const jar = new BrowserJar(t.origin);
    const meCalls: number[] = [];
    const { client } = browser(t, jar, {
      fetch: (input, init) => {
        if ((input instanceof Request ? input.url : String(input)).endsWith("/auth/me")) meCalls.push(Date.now());
        return jar.fetch(input, init);
      },
    });
    await client.start();
    await client.auth.login("alice", PASSWORD);
    await connected(client);
    meCalls.length = 0;

    await t.down({ dropSockets: true }); // "io server disconnect": the client asks /auth/me, which cannot be reached
    await sleep(7_000);
    await t.up();
    await connected(client, 10_000);

    const gaps = meCalls.slice(1).map((at, i) => at - meCalls[i]!);
    expect(meCalls.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...gaps)).toBeLessThan(3_000);
    expect(client.auth.getSnapshot().status).toBe("authenticated");
  }, 30_000);
});
