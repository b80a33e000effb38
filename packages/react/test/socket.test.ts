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
    await vi.waitFor(() =>
      expect(chat.getSnapshot().messages.map((m) => m.content)).toEqual(["before the restart", "before the restart "]),
    );
    expect(client.auth.getSnapshot().status).toBe("authenticated");
    stopChat();
  }, 20_000);
});
