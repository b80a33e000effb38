import { ClientFunctionError, createParlorClient, type ParlorClient, type ParlorClientOptions } from "@parlor/client";
import { echoApp, registerCleanup, sleep, startTestServer, type TestServer } from "@parlor/test-support";
import { JSDOM } from "jsdom";
import { ClientCallError } from "parlor";
import { describe, expect, it, vi } from "vitest";
import { EMBED_SECRET, HOST_ORIGIN, mintHostToken } from "./helpers/host-token.js";

/** One request as the client's `fetch` sent it, and whether the answer set a cookie. */
interface SentRequest {
  method: string;
  path: string;
  credentials: RequestCredentials | undefined;
  headers: Record<string, string>;
  status: number;
  setCookie: string | null;
}

/**
 * An app that answers "call <name> <json args>" with the outcome of `chat.callClient`, and
 * echoes everything else.
 */
const app = () =>
  echoApp({
    async onMessage(message, chat) {
      const match = /^call (\S+) (.*)$/s.exec(message.content);
      if (match === null) return void (await chat.send(`echo: ${message.content}`));
      try {
        const result = await chat.callClient(match[1]!, JSON.parse(match[2]!), { timeout: 5_000 });
        await chat.send(JSON.stringify({ ok: true, result }));
      } catch (error) {
        await chat.send(JSON.stringify({ ok: false, code: error instanceof ClientCallError ? error.code : "untyped" }));
      }
    },
  });

function startEmbeddingServer(options: { tokenTtl?: number } = {}): Promise<TestServer> {
  return startTestServer({
    app: app(),
    server: {
      embeds: { shop: { secret: EMBED_SECRET, origins: [HOST_ORIGIN] } },
      ...(options.tokenTtl === undefined ? {} : { session: { tokenTtl: options.tokenTtl } }),
    },
  });
}

/**
 * A bearer client as the widget's iframe (on the server's origin) would have it: its requests
 * carry the page's `Origin` and nothing else a browser would add, since bearer mode sends no
 * cookies. Every request is recorded, with the exchange's host tokens.
 */
function iframeClient(t: TestServer, overrides: { getHostToken?: () => Promise<string> } = {}, options: Partial<ParlorClientOptions> = {}) {
  const requests: SentRequest[] = [];
  const hostTokens: string[] = [];
  const getHostToken =
    overrides.getHostToken ??
    (async () => {
      const token = await mintHostToken("42", t.origin, t.clock.now());
      hostTokens.push(token);
      return token;
    });
  const page = new JSDOM("<!doctype html>", { url: `${t.origin}/embed/shop?host=${encodeURIComponent(HOST_ORIGIN)}` }).window;
  // The upload builds its form with the global FormData; jsdom's XMLHttpRequest sends only its own.
  vi.stubGlobal("FormData", page.FormData);
  const client = createParlorClient({
    baseUrl: t.origin,
    auth: { mode: "bearer", getHostToken },
    fetch: async (input, init = {}) => {
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const response = await fetch(input, { ...init, headers: { ...headers, origin: t.origin } });
      const url = new URL(input instanceof Request ? input.url : input);
      requests.push({
        method: init.method ?? "GET",
        path: url.pathname,
        credentials: init.credentials,
        headers,
        status: response.status,
        setCookie: response.headers.get("set-cookie"),
      });
      return response;
    },
    // Outside a browser the handshake must name its origin itself; nothing else is added.
    socketOptions: { transports: ["websocket"], extraHeaders: { origin: t.origin } },
    XMLHttpRequest: page.XMLHttpRequest,
    ...options,
  });
  registerCleanup(() => {
    client.close();
    page.close();
    vi.unstubAllGlobals();
  });
  return { client, requests, hostTokens, page };
}

const connected = (client: ParlorClient) => vi.waitFor(() => expect(client.connection.getSnapshot().state).toBe("connected"), { timeout: 5_000, interval: 20 });

async function reply(client: ParlorClient, text: string, threadId: string | null = null): Promise<string> {
  const chat = client.createChat(threadId);
  const stop = chat.subscribe(() => {});
  try {
    await chat.send(text);
    await vi.waitFor(
      () => {
        const { messages, status } = chat.getSnapshot();
        expect(status).toBe("idle");
        expect(messages.at(-1)?.role).toBe("assistant");
      },
      { timeout: 5_000, interval: 20 },
    );
    return chat.getSnapshot().messages.at(-1)!.content.trim();
  } finally {
    stop();
  }
}

describe("bearer mode (embedding)", () => {
  it("exchanges the host token, sends the access token as Bearer on every request and on the socket, and never a cookie or CSRF token", async () => {
    const t = await startEmbeddingServer();
    const { client, requests, hostTokens } = iframeClient(t);
    await client.start();

    const auth = client.auth.getSnapshot();
    expect(auth.status).toBe("authenticated");
    expect(auth.user).toMatchObject({ identifier: "embed:shop:42", displayName: "Shopper 42" });
    expect(auth.session?.client).toBe("widget");
    expect(hostTokens).toHaveLength(1);

    const exchange = requests.find((r) => r.path === "/auth/token")!;
    expect(exchange).toMatchObject({ method: "POST", status: 200, credentials: "omit" });
    const me = requests.find((r) => r.path === "/auth/me")!;
    expect(me.status).toBe(200);
    expect(me.headers.authorization).toMatch(/^Bearer \S+$/);

    await connected(client);
    expect(await reply(client, "hello there")).toBe("echo: hello there");
    // The socket joined as the widget session: its thread is this user's.
    const threads = client.createThreadList();
    threads.subscribe(() => {});
    await vi.waitFor(() => expect(threads.getSnapshot().threads).toHaveLength(1), { timeout: 5_000 });

    for (const request of requests) {
      expect(request.credentials).toBe("omit");
      expect(request.headers["x-csrf-token"]).toBeUndefined();
      expect(request.headers.cookie).toBeUndefined();
      expect(request.setCookie).toBeNull();
      if (request.path !== "/auth/token" && request.path !== "/auth/config") expect(request.headers.authorization).toMatch(/^Bearer /);
    }
    // A login of another kind is a programming error in this mode.
    await expect(client.auth.login("alice", "x")).rejects.toThrow(TypeError);
    expect(() => client.fileUrl("f")).toThrow(TypeError);
  });

  it("uploads with the Bearer header and shows files through signed URLs", async () => {
    const t = await startEmbeddingServer();
    const { client, page } = iframeClient(t);
    await client.start();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
    const uploads = client.createFileUpload();
    const file = await uploads.upload(new page.File([png], "pixel.png", { type: "image/png" }));
    expect(file).toMatchObject({ name: "pixel.png", size: png.length });
    // The page's own cookies stayed empty: the upload needed none and got none.
    expect(page.document.cookie).toBe("");

    const signed = await client.signedFileUrl(file.id);
    expect(signed.url.startsWith(`${t.origin}/api/files/${file.id}?`)).toBe(true);
    expect(Date.parse(signed.expiresAt)).toBeGreaterThan(t.clock.now());
    // What an <img> does: a plain GET with no credential at all.
    const image = await fetch(signed.url);
    expect(image.status).toBe(200);
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(png);
    // The link is reused while it lives: no second request.
    const before = t.count("GET", `/api/files/${file.id}/signed-url`);
    expect((await client.signedFileUrl(file.id)).url).toBe(signed.url);
    expect(t.count("GET", `/api/files/${file.id}/signed-url`)).toBe(before);

    const missing = await client.signedFileUrl("00000000-0000-4000-8000-000000000000").catch((error: unknown) => error);
    expect(missing).toMatchObject({ code: "not_found", status: 404 });
  });

  it("renews the access token before it expires and moves the socket to the new session", async () => {
    const t = await startEmbeddingServer({ tokenTtl: 3 });
    const { client, hostTokens } = iframeClient(t);
    await client.start();
    await connected(client);
    const { user, session } = client.auth.getSnapshot();
    let connects = 0;
    client.connection.onConnect(() => connects++);

    // A 3 s token is renewed after 2.25 s (a quarter of its lifetime before expiry).
    await vi.waitFor(() => expect(hostTokens.length).toBe(2), { timeout: 4_000, interval: 20 });
    await vi.waitFor(
      () => {
        expect(client.auth.getSnapshot().session!.id).not.toBe(session!.id);
        expect(connects).toBe(1);
      },
      { timeout: 4_000, interval: 20 },
    );
    expect(client.auth.getSnapshot()).toMatchObject({ status: "authenticated", user });
    // The socket is on the new session: ending the old one does not touch it.
    await t.server.sessions.revoke(user!.id, session!.id);
    await connected(client);
    expect(await reply(client, "still here")).toBe("echo: still here");
    expect(connects).toBe(1);

    // A closed client stops renewing (no timer asks the host page for tokens behind its back).
    const asked = hostTokens.length;
    client.close();
    await sleep(1_500);
    expect(hostTokens.length).toBe(asked);
  });

  it("a renewal that finds the server away is tried again, and logs nobody out", async () => {
    const t = await startEmbeddingServer({ tokenTtl: 3 });
    const { client, hostTokens } = iframeClient(t);
    await client.start();
    await connected(client);
    const { session } = client.auth.getSnapshot();

    await t.down();
    // The renewal at 2.25 s asks the host, then cannot reach the server: asked again 1 s later.
    await vi.waitFor(() => expect(hostTokens.length).toBeGreaterThanOrEqual(3), { timeout: 6_000, interval: 20 });
    expect(client.auth.getSnapshot()).toMatchObject({ status: "authenticated", session });

    await t.up();
    await vi.waitFor(() => expect(client.auth.getSnapshot().session!.id).not.toBe(session!.id), { timeout: 6_000, interval: 20 });
    expect(client.auth.getSnapshot().status).toBe("authenticated");
    await connected(client);
    expect(await reply(client, "back again")).toBe("echo: back again");
  });

  it("on a 401 renews once and retries once; when the renewal fails, logs out", async () => {
    const t = await startEmbeddingServer();
    let hostTokenCalls = 0;
    let refuse = false;
    const { client, requests } = iframeClient(t, {
      getHostToken: async () => {
        hostTokenCalls++;
        return refuse ? mintHostToken("42", t.origin, t.clock.now(), "a-wrong-secret-0123456789-abcdefghijklm") : mintHostToken("42", t.origin, t.clock.now());
      },
    });
    await client.start();
    await connected(client);

    // The server forgets the session (as when it is revoked elsewhere): the next request is a 401.
    t.clock.advance(16 * 60_000);
    const threads = await client.auth.api.request("GET", "/api/threads");
    expect(threads).toMatchObject({ threads: [] });
    expect(hostTokenCalls).toBe(2);
    const threadRequests = requests.filter((r) => r.path === "/api/threads").map((r) => r.status);
    expect(threadRequests).toEqual([401, 200]);
    expect(client.auth.getSnapshot().status).toBe("authenticated");

    // Now the host's tokens are refused: one renewal, then logged out with its reason.
    refuse = true;
    t.clock.advance(16 * 60_000);
    const error = await client.auth.api.request("GET", "/api/threads").catch((failure: unknown) => failure);
    expect(error).toMatchObject({ code: "invalid_token", status: 401 });
    expect(hostTokenCalls).toBe(3);
    const state = client.auth.getSnapshot();
    expect(state).toMatchObject({ status: "unauthenticated", isAuthenticated: false, user: null });
    expect(state.error?.code).toBe("invalid_token");
    await vi.waitFor(() => expect(client.connection.getSnapshot().state).toBe("disconnected"));
    // Logged out stays logged out: a later 401 does not ask the host again.
    await expect(client.auth.api.request("GET", "/api/threads")).rejects.toMatchObject({ code: "unauthenticated" });
    expect(hostTokenCalls).toBe(3);
  });

  it("a socket dropped because its session was revoked renews the token and reconnects", async () => {
    const t = await startEmbeddingServer();
    const { client, hostTokens } = iframeClient(t);
    await client.start();
    await connected(client);
    const { user, session } = client.auth.getSnapshot();

    // Revoked elsewhere (the app's session list): the server drops this socket at once.
    await t.server.sessions.revoke(user!.id, session!.id);
    await vi.waitFor(
      () => {
        expect(hostTokens).toHaveLength(2);
        expect(client.auth.getSnapshot().session!.id).not.toBe(session!.id);
        expect(client.connection.getSnapshot().state).toBe("connected");
      },
      { timeout: 6_000, interval: 20 },
    );
    expect(client.auth.getSnapshot().status).toBe("authenticated");
    expect(await reply(client, "after revoke")).toBe("echo: after revoke");
  });

  it("an invalid host token at start leaves the client logged out with invalid_token", async () => {
    const t = await startEmbeddingServer();
    const { client, requests } = iframeClient(t, { getHostToken: async () => "not-a-jwt" });
    await client.start();
    const state = client.auth.getSnapshot();
    expect(state).toMatchObject({ status: "unauthenticated", isReady: true, isAuthenticated: false });
    expect(state.error).toMatchObject({ code: "invalid_token", status: 401 });
    expect(requests.map((r) => r.path)).not.toContain("/auth/me");
    expect(client.connection.getSnapshot().state).toBe("disconnected");

    const failing = iframeClient(t, {
      getHostToken: () => Promise.reject(new Error("the shop's backend is down")),
    }).client;
    await failing.start();
    expect(failing.auth.getSnapshot().error?.code).toBe("token_failed");
  });

  it("answers client:call with the registered handler, in the shape chat.callClient expects", async () => {
    const t = await startEmbeddingServer();
    const { client } = iframeClient(t);
    await client.start();
    await connected(client);

    // No handler yet: answered at once, not left to time out.
    expect(JSON.parse(await reply(client, 'call cart.get {"currency":"EUR"}'))).toEqual({ ok: false, code: "unknown_function" });

    const calls: unknown[] = [];
    const remove = client.onClientCall(async (name, args) => {
      calls.push({ name, args });
      if (name === "cart.get") return { items: 3, currency: (args as { currency: string }).currency };
      if (name === "boom") throw new Error("out of stock");
      if (name === "date") return new Date(0);
      throw new ClientFunctionError("unknown_function", `no function ${name}`);
    });
    expect(JSON.parse(await reply(client, 'call cart.get {"currency":"EUR"}'))).toEqual({ ok: true, result: { items: 3, currency: "EUR" } });
    expect(calls).toEqual([{ name: "cart.get", args: { currency: "EUR" } }]);
    expect(JSON.parse(await reply(client, "call boom {}"))).toEqual({ ok: false, code: "function_failed" });
    expect(JSON.parse(await reply(client, "call nope {}"))).toEqual({ ok: false, code: "unknown_function" });
    // A result that is not plain JSON never reaches the app as something else.
    expect(JSON.parse(await reply(client, "call date {}"))).toEqual({ ok: false, code: "not_json" });

    remove();
    expect(JSON.parse(await reply(client, "call cart.get {}"))).toEqual({ ok: false, code: "unknown_function" });
  });

  it("keeps nothing token-like anywhere persistent", async () => {
    const touched: string[] = [];
    const spyStorage = (name: string) =>
      new Proxy({} as Storage, {
        get: (_target, key) => {
          touched.push(`${name}.${String(key)}`);
          return () => null;
        },
        set: (_target, key) => {
          touched.push(`${name}.${String(key)}=`);
          return true;
        },
      });
    vi.stubGlobal("localStorage", spyStorage("localStorage"));
    vi.stubGlobal("sessionStorage", spyStorage("sessionStorage"));

    const t = await startEmbeddingServer();
    const { client, requests, page } = iframeClient(t);
    await client.start();
    await connected(client);
    await reply(client, "hi");
    await client.createFileUpload().upload(new page.File(["plain text"], "a.txt", { type: "text/plain" }));

    expect(touched).toEqual([]);
    expect(page.document.cookie).toBe("");
    expect(page.localStorage.length).toBe(0);
    expect(page.sessionStorage.length).toBe(0);
    expect(requests.every((r) => r.setCookie === null)).toBe(true);
    // Nor does the token travel in a URL (logs keep URLs).
    const accessToken = requests.find((r) => r.path === "/auth/me")!.headers.authorization!.slice("Bearer ".length);
    expect(t.requests.some((r) => JSON.stringify(r).includes(accessToken))).toBe(false);
  });
});
