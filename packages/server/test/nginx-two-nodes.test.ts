import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io } from "socket.io-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  connectSocket,
  CookieJar,
  dialects,
  EventLog,
  freePort,
  redisIsAvailable,
  registerCleanup,
  request,
  TestClient,
  waitForEvent,
  type TestDatabase,
} from "@parlor/test-support";
import { COMPOSE_DOCS, NGINX_DOCS, nginxBinary, startNginx } from "./helpers/nginx.js";
import { startNodePair, type NodePair } from "./helpers/node-pair.js";

/**
 * The reference setup of docs/deployment.md: nginx with the documented upstream
 * (docs/nginx/parlor-upstream.conf, the node addresses replaced by loopback ports) and
 * location (parlor-chat.conf) in front of two real nodes on PostgreSQL and Redis, the app at
 * /chat/. A test-only header names the node that answered, so the test can stop that one.
 */
if (nginxBinary === null && !process.env.CI) console.warn("nginx-two-nodes.test.ts: skipped, nginx is not installed (apt-get install nginx)");
const postgres = dialects.find((dialect) => dialect.name === "postgres");
const redisUp = await redisIsAvailable();

/** The documented upstream, pointed at `ports`; fails if the file no longer names node-a and node-b. */
function documentedUpstream(portA: number, portB: number): string {
  const text = readFileSync(join(NGINX_DOCS, "parlor-upstream.conf"), "utf8");
  expect(text).toContain("server node-a:3000 ");
  expect(text).toContain("server node-b:3000 ");
  return text.replace("server node-a:3000 ", `server 127.0.0.1:${portA} `).replace("server node-b:3000 ", `server 127.0.0.1:${portB} `);
}

describe.skipIf((nginxBinary === null && !process.env.CI) || postgres === undefined || !redisUp)(
  "nginx in front of two nodes, as docs/deployment.md sets it up",
  { timeout: 60_000 },
  () => {
    let database: TestDatabase;
    let pair: NodePair | undefined;
    beforeEach(async () => {
      database = await postgres!.create();
    });
    afterEach(async () => {
      await pair?.stop();
      pair = undefined;
      await database.dispose();
    });

    it("login through nginx works on the other node once the first one drains; websocket and long-polling chats go through", async () => {
      const port = await freePort();
      const origin = `http://localhost:${port}`;
      pair = await startNodePair({
        databaseUrl: database.url,
        publicUrl: `${origin}/chat/`,
        env: { PARLOR_TRUSTED_PROXIES: "127.0.0.1", TEST_REPLY: "words:3", TEST_REPLY_EVERY_MS: "10" },
      });
      const { a, b } = pair;
      await startNginx({ port, upstream: documentedUpstream(a.port, b.port), serverExtras: "add_header X-Test-Node $upstream_addr always;" });
      const nodeAt = (response: { headers: Headers }) => {
        const address = response.headers.get("x-test-node");
        expect([`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`]).toContain(address);
        return address === `127.0.0.1:${a.port}` ? a : b;
      };

      const jar = new CookieJar(origin);
      const browser = new TestClient(origin, a.client().cookieName, jar, "/chat");
      const login = await browser.login("alice", "correct horse battery staple");
      expect(login.status).toBe(200);
      const first = nodeAt(login);
      const other = first === a ? b : a;
      // Sticky: this client's requests keep going to the same node.
      expect(nodeAt(await browser.get("/auth/me"))).toBe(first);

      // A websocket chat through nginx.
      const socket = await connectSocket({ origin }, browser, { path: "/chat/socket.io" });
      expect(socket.io.engine.transport.name).toBe("websocket");
      const log = new EventLog(socket);
      const sent = await request(socket, "message:send", { content: "through nginx" });
      expect(sent.ok).toBe(true);
      await log.waitFor((e) => e.event === "message:end" && e.data.status === "complete");

      // Long-polling (a browser whose network blocks websockets): every poll must reach the node
      // that opened the connection, which only a sticky upstream guarantees.
      const polling = io(origin, {
        path: "/chat/socket.io",
        transports: ["polling"],
        extraHeaders: { origin, cookie: jar.cookieHeader(origin) },
        auth: { csrfToken: browser.csrfToken },
        reconnection: false,
        forceNew: true,
      });
      registerCleanup(() => void polling.close());
      await waitForEvent(polling, "connect");
      const pollLog = new EventLog(polling);
      const polled = await request(polling, "message:send", { content: "over long-polling" });
      expect(polled.ok).toBe(true);
      await pollLog.waitFor((e) => e.event === "message:end" && e.data.status === "complete");
      polling.close();

      // The node that took the login drains; its sockets are told to reconnect.
      const closed = waitForEvent<string>(socket, "disconnect", 15_000);
      first.child.kill("SIGTERM");
      expect(await closed).toBe("transport close");
      await first.exited;

      // The same cookie, through nginx, now on the other node.
      const me = await browser.get("/auth/me");
      expect(me.status).toBe(200);
      expect(me.body.user.identifier).toBe("alice");
      expect(nodeAt(me)).toBe(other);
      const reconnected = await connectSocket({ origin }, browser, { path: "/chat/socket.io" });
      const resumed = await request(reconnected, "thread:resume", { threadId: sent.threadId });
      expect(resumed.thread.messages.map((m: { content: string }) => m.content)).toEqual(["through nginx", "word0 word1 word2 "]);
      const again = new EventLog(reconnected);
      expect((await request(reconnected, "message:send", { threadId: sent.threadId, content: "on the other node" })).ok).toBe(true);
      await again.waitFor((e) => e.event === "message:end" && e.data.status === "complete");
    });
  },
);

describe.skipIf(nginxBinary === null && !process.env.CI)("docs/compose: the nginx site", () => {
  it("is valid nginx with the documented snippets and upstream, paths mapped as compose.yaml mounts them", () => {
    const dir = mkdtempSync(join(tmpdir(), "parlor-nginx-site-"));
    registerCleanup(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, "tls"));
    const cert = spawnSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=chat.example.com",
        "-days",
        "1",
        "-keyout",
        join(dir, "tls/privkey.pem"),
        "-out",
        join(dir, "tls/fullchain.pem"),
      ],
      { encoding: "utf8" },
    );
    expect(cert.status, cert.stderr).toBe(0);
    // compose.yaml's mounts, here; unprivileged ports instead of 80 and 443.
    const site = readFileSync(join(COMPOSE_DOCS, "nginx-site.conf"), "utf8")
      .replaceAll("/etc/nginx/tls/", `${join(dir, "tls")}/`)
      .replace("/etc/nginx/parlor/parlor-chat.conf", join(NGINX_DOCS, "parlor-chat.conf"))
      .replace("listen 80;", "listen 127.0.0.1:18080;")
      .replace("listen 443 ssl;", "listen 127.0.0.1:18443 ssl;");
    expect(site).not.toContain("/etc/nginx");
    writeFileSync(join(dir, "site.conf"), site);
    writeFileSync(join(dir, "upstream.conf"), documentedUpstream(3000, 3001));
    const user = process.getuid?.() === 0 ? "user root;\n" : "";
    writeFileSync(
      join(dir, "nginx.conf"),
      `${user}pid ${join(dir, "nginx.pid")};\nerror_log ${join(dir, "error.log")};\nevents {}\n` +
        `http {\n  include ${join(NGINX_DOCS, "connection-upgrade.conf")};\n  include ${join(dir, "upstream.conf")};\n  include ${join(dir, "site.conf")};\n}\n`,
    );
    const check = spawnSync(nginxBinary!, ["-t", "-p", dir, "-c", join(dir, "nginx.conf")], { encoding: "utf8" });
    expect(check.status, check.stderr).toBe(0);
    // compose.yaml mounts exactly these files.
    const compose = readFileSync(join(COMPOSE_DOCS, "compose.yaml"), "utf8");
    for (const mount of [
      "../nginx/connection-upgrade.conf:/etc/nginx/conf.d/",
      "../nginx/parlor-upstream.conf:/etc/nginx/conf.d/",
      "./nginx-site.conf:/etc/nginx/conf.d/default.conf",
      "../nginx/parlor-chat.conf:/etc/nginx/parlor/parlor-chat.conf",
      "./tls:/etc/nginx/tls",
    ]) {
      expect(compose).toContain(mount);
    }
  });
});
