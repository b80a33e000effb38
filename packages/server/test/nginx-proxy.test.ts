import { describe, expect, it } from "vitest";
import { connectSocket, CookieJar, freePort, request, startTestServer, TestClient, EventLog } from "@parlor/test-support";
import { nginxBinary, startNginx } from "./helpers/nginx.js";

/**
 * The nginx configuration of docs/path-prefix.md, as it is in docs/nginx/, in front of a
 * Parlor app at /chat/: login and a socket.io websocket through it. nginx runs unprivileged
 * in a temporary prefix (`daemon off`, its pid, logs and temp files there).
 *
 * The two-node upstream of docs/deployment.md: nginx-two-nodes.test.ts.
 *
 * Needs `nginx` on the PATH (`apt-get install nginx`). Under CI it fails without it, like
 * the browser tests without Chromium; elsewhere the suite is skipped with a note.
 */
if (nginxBinary === null && !process.env.CI) console.warn("nginx-proxy.test.ts: skipped, nginx is not installed (apt-get install nginx)");

describe.skipIf(nginxBinary === null && !process.env.CI)("the documented nginx config in front of an app at /chat/", () => {
  it("logs in and opens a socket.io websocket through nginx; the path is forwarded unchanged", async () => {
    const port = await freePort();
    const origin = `http://localhost:${port}`;
    const t = await startTestServer({ server: { publicUrl: `${origin}/chat/`, trustedProxies: ["127.0.0.1"] } });
    await startNginx({ port, upstream: `upstream parlor_chat { server 127.0.0.1:${t.port}; }` });

    const jar = new CookieJar(origin);
    const browser = new TestClient(origin, t.server.config.cookie.name, jar, "/chat");
    const login = await browser.login("alice");
    expect(login.status).toBe(200);
    expect(login.headers.get("set-cookie")).toMatch(/^__Host-parlor-/);
    const me = await browser.get("/auth/me");
    expect(me.status).toBe(200);
    expect(me.body.user.identifier).toBe("alice");
    // What Parlor saw: the path with its prefix, the browser's Host, the client address from X-Forwarded-For.
    const seen = t.requests.find((recorded) => recorded.path === "/chat/auth/me");
    expect(seen).toBeDefined();

    const socket = await connectSocket({ origin }, browser, { path: "/chat/socket.io" });
    expect(socket.io.engine.transport.name).toBe("websocket");
    const log = new EventLog(socket);
    const ack = await request(socket, "message:send", { content: "through nginx" });
    expect(ack.threadId).toEqual(expect.any(String));
    await log.waitFor((e) => e.event === "message:end");

    // nginx's own answers: /chat gets its 301 to /chat/, and paths outside the location are not Parlor's.
    const bare = await fetch(`${origin}/chat`, { redirect: "manual" });
    expect(bare.status).toBe(301);
    expect(new URL(bare.headers.get("location")!, origin).pathname).toBe("/chat/");
    const outside = await fetch(`${origin}/auth/me`, { headers: { cookie: jar.cookieHeader(origin) } });
    expect(outside.status).toBe(404);
    expect(t.requests.some((recorded) => recorded.path === "/auth/me")).toBe(false);
  });
});
