import { request as httpRequest } from "node:http";
import { io } from "socket.io-client";
import { describe, expect, it } from "vitest";
import { freePort, startTestServer, type TestServer } from "@parlor/test-support";

/**
 * Behind a reverse proxy, the browser's origin is the proxy's (https, the public name) while
 * Parlor sees plain http on an internal address. The app's own origin must then come from
 * X-Forwarded-Proto/Host, but only when a trusted proxy sent them, and identically for HTTP
 * requests and the socket.io handshake (http/own-origin.ts).
 */
describe("the app's own origin behind a proxy", () => {
  let t: TestServer | undefined;

  // alt.example.com is served (allowedHosts) but not an allowed origin: only the own-origin rule can admit it.
  const start = async (trustedProxies: string[]) => {
    const port = await freePort();
    t = await startTestServer({
      port,
      server: { publicUrl: "https://chat.example.com", allowedHosts: [`127.0.0.1:${port}`, "alt.example.com"], trustedProxies },
    });
    const alice = t.client();
    expect((await alice.login("alice")).status).toBe(200);
    return alice;
  };

  /** What the proxy forwards for a page on https://alt.example.com; no Sec-Fetch-Site, so the Origin decides. */
  const forwarded = {
    "x-forwarded-proto": "https",
    "x-forwarded-host": "alt.example.com",
    origin: "https://alt.example.com",
  };

  /** A login attempt with wrong credentials: 401 once past the origin rule, 403 `csrf` if refused by it. */
  const httpStatus = () =>
    new Promise<{ status: number; code: string }>((resolve, reject) => {
      const req = httpRequest(`${t!.origin}/auth/login`, { method: "POST", headers: { ...forwarded, "content-type": "application/json" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode!, code: JSON.parse(Buffer.concat(chunks).toString("utf8")).error.code }));
      });
      req.on("error", reject);
      req.end(JSON.stringify({ username: "alice", password: "wrong" }));
    });

  const socketResult = (alice: { cookieName: string; sessionCookie: string | null; csrfToken: string | null }, transport: "websocket" | "polling") =>
    new Promise<boolean>((resolve) => {
      const socket = io(t!.origin, {
        transports: [transport],
        extraHeaders: { ...forwarded, cookie: `${alice.cookieName}=${alice.sessionCookie}` },
        auth: { csrfToken: alice.csrfToken },
        reconnection: false,
        forceNew: true,
      });
      socket.once("connect", () => {
        socket.close();
        resolve(true);
      });
      socket.once("connect_error", () => {
        socket.close();
        resolve(false);
      });
    });

  it("accepts the forwarded origin from a trusted proxy, for HTTP and the socket handshake alike", async () => {
    const alice = await start(["loopback"]);
    expect(await httpStatus()).toEqual({ status: 401, code: "invalid_credentials" });
    expect(await socketResult(alice, "websocket")).toBe(true);
    expect(await socketResult(alice, "polling")).toBe(true);
  });

  it("refuses it when the forwarded headers come from an address that is not a trusted proxy", async () => {
    const alice = await start(["10.1.2.3"]);
    expect(await httpStatus()).toEqual({ status: 403, code: "csrf" });
    expect(await socketResult(alice, "websocket")).toBe(false);
    expect(await socketResult(alice, "polling")).toBe(false);
  });
});
