import type { ClientToServerEvents, ServerToClientEvents } from "@parlor/protocol";
import { EventLog, registerCleanup, request, startTestServer, type TestServer } from "@parlor/test-support";
import { io, type Socket } from "socket.io-client";
import { describe, expect, it } from "vitest";
import { EMBED_SECRET, HOST_ORIGIN, mintHostToken } from "./helpers/host-token.js";
import type { ServerOptions } from "parlor";

type BrowserSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A bearer client as a browser runs it (the widget's iframe): a WebSocket cannot carry
 * `Authorization`, so the token travels in `auth.token` only and the handshake URL says
 * `bearer=1` (server README, "Socket handshake").
 */
describe("bearer sockets from a browser (auth.token without the Authorization header)", () => {
  let t: TestServer | undefined;

  const start = async (server: ServerOptions = {}) => {
    t = await startTestServer({ server: { embeds: { shop: { secret: EMBED_SECRET, origins: [HOST_ORIGIN] } }, ...server } });
    return t;
  };
  const accessToken = async () => {
    const response = await t!.client().post("/auth/token", { json: { token: await mintHostToken("42", { audience: t!.origin }) } });
    return response.body.accessToken as string;
  };
  const connect = (options: { token?: string; query?: Record<string, string>; origin?: string }) => {
    const socket: BrowserSocket = io(t!.origin, {
      transports: ["websocket"],
      extraHeaders: { origin: options.origin ?? t!.origin },
      query: options.query ?? { bearer: "1" },
      auth: options.token === undefined ? {} : { token: options.token },
      reconnection: false,
      forceNew: true,
    });
    registerCleanup(() => socket.close());
    return new Promise<BrowserSocket>((resolve, reject) => {
      socket.once("connect", () => resolve(socket));
      socket.once("connect_error", reject);
    });
  };
  const engineClients = () => t!.server.fastify.realtime.engine.clientsCount;

  it("connects with auth.token alone and chats", async () => {
    await start();
    const socket = await connect({ token: await accessToken() });
    const log = new EventLog(socket);
    expect((await request(socket, "message:send", { content: "no header needed" })).ok).toBe(true);
    await log.waitFor((e) => e.event === "message:end");
  });

  it("refuses in the middleware a declared bearer handshake without a live token, and drops the connection", async () => {
    await start();
    await expect(connect({})).rejects.toMatchObject({ data: { code: "unauthenticated" } });
    await expect(connect({ token: "not-a-token" })).rejects.toMatchObject({ data: { code: "unauthenticated" } });
    const token = await accessToken();
    const me = await t!.client().get("/auth/me", { headers: { authorization: `Bearer ${token}` } });
    await t!.client().delete(`/auth/sessions/${me.body.session.id}`, { headers: { authorization: `Bearer ${token}` } });
    await expect(connect({ token })).rejects.toMatchObject({ data: { code: "unauthenticated" } });
    for (let waited = 0; engineClients() > 0 && waited < 2000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(engineClients()).toBe(0);
  });

  it("still refuses credential-less handshakes that do not declare bearer, before engine.io keeps anything", async () => {
    await start();
    const error = await connect({ token: await accessToken(), query: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(engineClients()).toBe(0);
  });

  it("keeps the Origin check and the per-IP handshake limit for declared bearer handshakes", async () => {
    await start({ realtime: { handshakesPerMinute: 3 } });
    const token = await accessToken();
    await expect(connect({ token, origin: "https://evil.example" })).rejects.toThrow();
    await connect({ token });
    await connect({ token });
    // The fourth handshake from this address within the minute (the refused one counted).
    await expect(connect({ token })).rejects.toThrow();
    expect(engineClients()).toBe(2);
  });

  it("drops a declared bearer connection that never joins at the join deadline", async () => {
    await start({ realtime: { connectTimeout: 1 } });
    const response = await fetch(`${t!.origin}/socket.io/?EIO=4&transport=polling&bearer=1`, { headers: { origin: t!.origin } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^0\{"sid":"/);
    expect(engineClients()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(engineClients()).toBe(0);
  });
});
