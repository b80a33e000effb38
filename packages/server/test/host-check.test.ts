import { request as httpRequest } from "node:http";
import { io } from "socket.io-client";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ParlorConfigError, resolveConfig } from "parlor";
import { ECHO_PASSWORD, freePort, type StartOptions, startTestServer, type TestServer } from "@parlor/test-support";

interface RawResponse {
  status: number;
  body: any;
  setCookie: string[];
}

/**
 * A request with a Host header of our choosing, which is what a DNS-rebound page sends:
 * its own name, resolved to this server's address. (fetch will not let a caller set Host.)
 */
function send(t: TestServer, host: string, method: string, path: string, options: { json?: unknown; headers?: Record<string, string> } = {}) {
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  return new Promise<RawResponse>((resolve, reject) => {
    const req = httpRequest(
      `${t.origin}${path}`,
      {
        method,
        headers: {
          host,
          origin: `http://${host}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode!, body: parsed, setCookie: res.headers["set-cookie"] ?? [] });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const refusedHost = { error: { code: "host_not_allowed", message: expect.any(String) } };

describe("Host check (DNS rebinding)", () => {
  let t: TestServer | undefined;
  const start = async (options: StartOptions = {}) => (t = await startTestServer(options));
  const publicHost = () => t!.server.config.publicUrl.host;
  const userCount = async () =>
    Number(
      (
        await t!.server.db
          .selectFrom("users")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("answers 421 host_not_allowed to a foreign Host on login, and creates nothing", async () => {
    await start();
    const login = await send(t!, `evil.example:${t!.server.config.publicUrl.port}`, "POST", "/auth/login", {
      json: { username: "alice", password: ECHO_PASSWORD },
      headers: { "sec-fetch-site": "same-origin" },
    });
    expect(login.status).toBe(421);
    expect(login.body).toEqual(refusedHost);
    expect(login.setCookie).toEqual([]);
    expect(await userCount()).toBe(0);

    const own = await send(t!, publicHost(), "POST", "/auth/login", {
      json: { username: "alice", password: ECHO_PASSWORD },
      headers: { "sec-fetch-site": "same-origin" },
    });
    expect(own.status).toBe(200);
  });

  it("answers 421 to a foreign Host on the API and the UI, even with a valid session", async () => {
    await start();
    const alice = t!.client();
    await alice.login("alice");
    const cookie = `${alice.cookieName}=${alice.sessionCookie}`;
    for (const path of ["/auth/me", "/api/threads", "/auth/config", "/"]) {
      const foreign = await send(t!, "evil.example", "GET", path, { headers: { cookie } });
      expect(foreign.status, path).toBe(421);
      expect(foreign.body, path).toEqual(refusedHost);
    }
    expect((await send(t!, publicHost(), "GET", "/auth/me", { headers: { cookie } })).status).toBe(200);
    // Upper case and an explicit default port are the same host.
    expect((await send(t!, publicHost().toUpperCase(), "GET", "/auth/me", { headers: { cookie } })).status).toBe(200);
  });

  it("refuses the socket handshake for a foreign Host", async () => {
    await start();
    const alice = t!.client();
    await alice.login("alice");
    const port = t!.server.config.publicUrl.port;
    const connect = (host: string) => {
      const socket = io(t!.origin, {
        transports: ["websocket"],
        // A rebound page's own origin: same-origin with itself, so the origin rule alone lets it in.
        extraHeaders: { host, origin: `http://${host}`, cookie: `${alice.cookieName}=${alice.sessionCookie}` },
        auth: { csrfToken: alice.csrfToken },
        reconnection: false,
        forceNew: true,
      });
      return new Promise<{ connected: boolean; code?: string }>((resolve) => {
        socket.once("connect", () => {
          socket.close();
          resolve({ connected: true });
        });
        socket.once("connect_error", (error: Error & { data?: { code?: string } }) => {
          socket.close();
          resolve({ connected: false, code: error.data?.code });
        });
      });
    };
    // Refused by engine.io's allowRequest, before any socket.io session exists: no code in err.data.
    expect((await connect(`evil.example:${port}`)).connected).toBe(false);
    expect(await connect(publicHost())).toEqual({ connected: true });
    // What the refusal is, seen on a raw long-polling handshake.
    const polling = await send(t!, `evil.example:${port}`, "GET", "/socket.io/?EIO=4&transport=polling", {
      headers: { cookie: `${alice.cookieName}=${alice.sessionCookie}`, origin: `http://evil.example:${port}` },
    });
    expect(polling.status).toBe(421);
    expect((polling.body as { error: { code: string } }).error.code).toBe("host_not_allowed");
  });

  it("accepts the hosts in allowedHosts (PARLOR_ALLOWED_HOSTS) and nothing else", async () => {
    await start({ env: { PARLOR_ALLOWED_HOSTS: "chat.internal:8080, Other.Example" } });
    expect(t!.server.config.allowedHosts).toEqual(["chat.internal:8080", "other.example"]);
    expect((await send(t!, "chat.internal:8080", "GET", "/auth/config")).status).toBe(200);
    expect((await send(t!, "other.example", "GET", "/auth/config")).status).toBe(200);
    expect((await send(t!, "other.example:80", "GET", "/auth/config")).status).toBe(200);
    expect((await send(t!, "chat.internal", "GET", "/auth/config")).status).toBe(421);
    expect((await send(t!, "chat.internal:8081", "GET", "/auth/config")).status).toBe(421);
    expect((await send(t!, "sub.other.example", "GET", "/auth/config")).status).toBe(421);
  });

  it("believes X-Forwarded-Host only from a trusted proxy", async () => {
    await start({ server: { publicUrl: "https://chat.example.com", allowedHosts: [] } });
    // Untrusted peer: its X-Forwarded-Host is ignored, its Host decides.
    expect((await send(t!, "10.0.0.7:3000", "GET", "/auth/config", { headers: { "x-forwarded-host": "chat.example.com" } })).status).toBe(421);
    expect((await send(t!, "chat.example.com", "GET", "/auth/config")).status).toBe(200);
    await t!.stop();

    await start({ server: { publicUrl: "https://chat.example.com", allowedHosts: [], trustedProxies: ["loopback"] } });
    // The proxy talks to Parlor by an internal name and passes the browser's Host along.
    expect((await send(t!, "10.0.0.7:3000", "GET", "/auth/config", { headers: { "x-forwarded-host": "chat.example.com" } })).status).toBe(200);
    expect((await send(t!, "chat.example.com", "GET", "/auth/config", { headers: { "x-forwarded-host": "evil.example" } })).status).toBe(421);
    // An appended chain: the last entry is the one our proxy wrote.
    expect((await send(t!, "x", "GET", "/auth/config", { headers: { "x-forwarded-host": "chat.example.com, evil.example" } })).status).toBe(421);
    expect((await send(t!, "x", "GET", "/auth/config", { headers: { "x-forwarded-host": "evil.example, chat.example.com" } })).status).toBe(200);
  });

  it("keeps /healthz and /readyz reachable by IP address for load balancers", async () => {
    await start();
    const probe = await send(t!, "10.1.2.3", "GET", "/healthz");
    expect(probe.status).toBe(200);
    expect(probe.body).toEqual({ status: "ok" });
    expect((await send(t!, "10.1.2.3", "GET", "/healthzz")).status).toBe(421);
    const ready = await send(t!, "10.1.2.3", "GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe("ready");
    expect((await send(t!, "10.1.2.3", "GET", "/readyzz")).status).toBe(421);
  });

  it("accepts the other loopback names in development only", async () => {
    const port = await freePort();
    await start({ port, server: { publicUrl: `http://localhost:${port}`, allowedHosts: [] } });
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, "app.localhost", "localhost:5173"]) {
      expect((await send(t!, host, "GET", "/auth/config")).status, host).toBe(200);
    }
    expect((await send(t!, `evil.example:${port}`, "GET", "/auth/config")).status).toBe(421);
    expect((await send(t!, `localhost.evil.example:${port}`, "GET", "/auth/config")).status).toBe(421);
    await t!.stop();

    await start({ port, server: { publicUrl: `http://localhost:${port}`, production: true, allowedHosts: [] } });
    expect((await send(t!, `localhost:${port}`, "GET", "/auth/config")).status).toBe(200);
    expect((await send(t!, `127.0.0.1:${port}`, "GET", "/auth/config")).status).toBe(421);
    expect((await send(t!, "localhost:5173", "GET", "/auth/config")).status).toBe(421);
  });
});

describe("allowedHosts and appId options", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "parlor-config-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const resolve = (env: Record<string, string>) =>
    resolveConfig({ appName: "Chat", options: { dataDir, authSecret: "a-strong-secret-0123456789-abcdefghijklmnopqrstuvwxyz" }, env });

  it("refuses values that are not bare hosts, naming the setting", () => {
    for (const bad of ["https://chat.example.com", "chat.example.com/path", "user@chat.example.com", "chat example.com"]) {
      expect(() => resolve({ PARLOR_ALLOWED_HOSTS: bad }), bad).toThrow(ParlorConfigError);
      expect(() => resolve({ PARLOR_ALLOWED_HOSTS: bad }), bad).toThrow(/allowedHosts/);
    }
  });

  it("derives appId from the app name and public URL unless PARLOR_APP_ID sets it", () => {
    expect(resolve({}).appId).toBe("Chat@http://localhost:8000/");
    expect(resolve({ PARLOR_PUBLIC_URL: "https://chat.example.com/team/" }).appId).toBe("Chat@https://chat.example.com/team/");
    expect(resolve({ PARLOR_APP_ID: "acme-chat-prod", PARLOR_PUBLIC_URL: "https://chat.example.com" }).appId).toBe("acme-chat-prod");
    expect(() => resolve({ PARLOR_APP_ID: "x".repeat(201) })).toThrow(/appId/);
  });
});
