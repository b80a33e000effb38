import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import {
  type ClientSocket,
  connectSocket,
  dialects,
  echoApp,
  EventLog,
  eventually,
  type StartOptions,
  startTestServer,
  type TestClient,
  type TestServer,
} from "@parlor/test-support";

const HANDSHAKE = "/socket.io/?EIO=4&transport=polling";

/** What an attacker's script does: a bare engine.io long-polling handshake over HTTP. */
async function pollingHandshake(t: TestServer, headers: Record<string, string>) {
  const response = await fetch(t.origin + HANDSHAKE, { headers });
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // an engine.io open packet, `0{"sid":…}`
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** A raw WebSocket upgrade request; resolves with the HTTP status the server answers. */
function websocketHandshake(t: TestServer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL("/socket.io/?EIO=4&transport=websocket", t.origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        ...headers,
      },
    });
    req.on("upgrade", (response, socket) => {
      socket.destroy();
      resolve({ status: response.statusCode!, body: "" });
    });
    req.on("response", (response) => {
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode!, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe.each(dialects)("socket abuse on $name", (dialect) => {
  let t: TestServer;
  const sockets: ClientSocket[] = [];

  const start = async (options: Omit<StartOptions, "dialect"> = {}) => {
    t = await startTestServer({ dialect, ...options });
    return t;
  };
  const cookieOf = (client: TestClient) => `${client.cookieName}=${client.sessionCookie}`;
  const engineClients = () => t.server.fastify.realtime.engine.clientsCount;
  const connect = async (client: TestClient, options = {}) => {
    const socket = await connectSocket(t, client, options);
    sockets.push(socket);
    return socket;
  };
  /** Opens `count` sockets at once; returns the connected ones and the refusal codes. */
  const connectMany = async (client: TestClient, count: number) => {
    const results = await Promise.allSettled(Array.from({ length: count }, () => connect(client)));
    return {
      connected: results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : [])),
      refused: results.flatMap((r) => (r.status === "rejected" ? [(r.reason as { data?: { code: string } }).data?.code] : [])),
    };
  };

  describe("engine.io handshake (allowRequest)", () => {
    it("refuses polling handshakes without a credential, with a forged one, or from a foreign Origin, creating no engine.io session", async () => {
      await start();
      const alice = await t.loggedIn();
      const sameOrigin = { origin: t.origin, "sec-fetch-site": "same-origin" };

      const anonymous = await pollingHandshake(t, sameOrigin);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual({ error: { code: "unauthenticated", message: expect.any(String) } });

      const forged = await pollingHandshake(t, { ...sameOrigin, cookie: `${alice.cookieName}=not-a-token` });
      expect(forged.status).toBe(401);

      const foreign = await pollingHandshake(t, { origin: "https://evil.example", "sec-fetch-site": "cross-site", cookie: cookieOf(alice) });
      expect(foreign.status).toBe(403);
      expect(foreign.body.error.code).toBe("csrf");

      const noOrigin = await pollingHandshake(t, { cookie: cookieOf(alice) });
      expect(noOrigin.status).toBe(403);
      expect(engineClients()).toBe(0);

      // The same request with the cookie from the app's own origin gets a session.
      const allowed = await pollingHandshake(t, { ...sameOrigin, cookie: cookieOf(alice) });
      expect(allowed.status).toBe(200);
      expect(allowed.text).toMatch(/^0\{"sid":"/);
      expect(engineClients()).toBe(1);
    });

    it("refuses WebSocket upgrades without a credential or from a foreign Origin", async () => {
      await start();
      const alice = await t.loggedIn();
      const anonymous = await websocketHandshake(t, { origin: t.origin });
      expect(anonymous.status).toBe(401);
      expect(JSON.parse(anonymous.body)).toMatchObject({ error: { code: "unauthenticated" } });
      const foreign = await websocketHandshake(t, { origin: "https://evil.example", cookie: cookieOf(alice) });
      expect(foreign.status).toBe(403);
      expect(engineClients()).toBe(0);
      expect((await websocketHandshake(t, { origin: t.origin, cookie: cookieOf(alice) })).status).toBe(101);
    });

    it("lets a bearer client through with Authorization: Bearer on the handshake", async () => {
      await start();
      const alice = await t.loggedIn();
      const withHeader = await pollingHandshake(t, { origin: t.origin, authorization: `Bearer ${alice.sessionCookie}` });
      expect(withHeader.status).toBe(200);
      const socket = await connect(t.client(), { token: alice.sessionCookie!, csrfToken: null });
      expect(socket.connected).toBe(true);
    });

    it("limits handshakes per IP per minute, counting refused ones, with 429 and Retry-After", async () => {
      await start({ server: { realtime: { handshakesPerMinute: 5 } } });
      const alice = await t.loggedIn();
      const headers = { origin: t.origin, "sec-fetch-site": "same-origin", cookie: cookieOf(alice) };
      expect((await pollingHandshake(t, { origin: "https://evil.example" })).status).toBe(403);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await pollingHandshake(t, headers)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
      const limited = await pollingHandshake(t, headers);
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe("rate_limited");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(engineClients()).toBe(4);
      expect((await websocketHandshake(t, headers)).status).toBe(429);
      // A real client is refused too; its next attempt after the window would pass.
      await expect(connect(alice)).rejects.toMatchObject({ type: "TransportError" });
    });

    it("counts by peer address: a forged X-Forwarded-For does not evade the limit, one from a trusted proxy is believed", async () => {
      await start({ server: { realtime: { handshakesPerMinute: 2 } } });
      const alice = await t.loggedIn();
      const headers = (ip: string) => ({ origin: t.origin, "sec-fetch-site": "same-origin", cookie: cookieOf(alice), "x-forwarded-for": ip });
      const direct = [];
      for (const ip of ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) direct.push((await pollingHandshake(t, headers(ip))).status);
      expect(direct).toEqual([200, 200, 429]);

      t = await t.restart({ server: { realtime: { handshakesPerMinute: 2 }, trustedProxies: ["loopback"] } });
      const proxied = [];
      for (const ip of ["203.0.113.1", "203.0.113.1", "203.0.113.1", "203.0.113.2"]) proxied.push((await pollingHandshake(t, headers(ip))).status);
      expect(proxied).toEqual([200, 200, 429, 200]);
    });

    it("closes an engine.io connection that never joins after realtime.connectTimeout", async () => {
      await start({ server: { realtime: { connectTimeout: 1 } } });
      const alice = await t.loggedIn();
      const opened = await pollingHandshake(t, { origin: t.origin, "sec-fetch-site": "same-origin", cookie: cookieOf(alice) });
      expect(opened.status).toBe(200);
      expect(engineClients()).toBe(1);
      await eventually("the engine.io connection closed", () => engineClients() === 0);
      expect(engineClients()).toBe(0);
    });
  });

  describe("sockets per session and per user", () => {
    it("connects only maxSocketsPerSession (10) of 20 sockets of one session, refusing the rest with rate_limited", async () => {
      await start();
      const alice = await t.loggedIn();
      const { connected, refused } = await connectMany(alice, 20);
      expect(connected).toHaveLength(10);
      expect(refused).toEqual(Array(10).fill("rate_limited"));

      // A closed socket frees its place.
      connected[0]!.close();
      await eventually("a socket connecting in the freed place", () => connect(alice).catch(() => null));
      expect(sockets.filter((s) => s.connected)).toHaveLength(10);
    });

    it("caps a user's sockets over all their sessions", async () => {
      await start({ server: { chat: { maxSocketsPerSession: 3, maxSocketsPerUser: 5 } } });
      const first = await connectMany(await t.loggedIn("alice"), 4);
      expect(first.connected).toHaveLength(3);
      const second = await connectMany(await t.loggedIn("alice"), 4);
      expect(second.connected).toHaveLength(2);
      expect(second.refused).toEqual(["rate_limited", "rate_limited"]);
      // Another user is not affected.
      expect((await connectMany(await t.loggedIn("bob"), 3)).connected).toHaveLength(3);
    });
  });

  it("shares one event bucket among a user's sockets: 200 message:send over 10 sockets store only the burst", async () => {
    // Runs per user have their own cap (chat.maxRunsPerUser): raised, so only the event bucket refuses.
    await start({ app: echoApp({ onMessage: () => undefined }), server: { chat: { maxRunsPerUser: 1000 } } });
    const alice = await t.loggedIn();
    const { connected } = await connectMany(alice, 10);
    const logs = connected.map((socket) => new EventLog(socket));
    for (let i = 0; i < 200; i++) connected[i % 10]!.emit("message:send", { content: `flood ${i}` });

    const limited = () => logs.reduce((sum, log) => sum + log.of("error").filter((e) => e.code === "rate_limited").length, 0);
    const threads = async () => (await t.server.db.selectFrom("threads").selectAll().execute()).length;
    // The test clock stands still, so the shared bucket never refills: the burst (20) passes.
    await eventually("180 refusals and 20 threads", async () => limited() >= 180 && (await threads()) >= 20, 10_000);
    expect(limited()).toBe(180);
    expect(await threads()).toBe(20);
    expect(connected.every((socket) => socket.connected)).toBe(true);
  });
});
