import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { connectSocket, CookieJar, eventually, freePort, registerCleanup, request, startTestServer, TestClient, EventLog } from "@parlor/test-support";

/**
 * The nginx configuration of docs/path-prefix.md, as it is in docs/nginx/, in front of a
 * Parlor app at /chat/: login and a socket.io websocket through it. nginx runs unprivileged
 * in a temporary prefix (`daemon off`, its pid, logs and temp files there).
 *
 * Needs `nginx` on the PATH (`apt-get install nginx`). Under CI it fails without it, like
 * the browser tests without Chromium; elsewhere the suite is skipped with a note.
 */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const NGINX_DOCS = join(REPO_ROOT, "docs/nginx");
const nginxBinary = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"].find((path) => existsSync(path)) ?? null;
if (nginxBinary === null && !process.env.CI) console.warn("nginx-proxy.test.ts: skipped, nginx is not installed (apt-get install nginx)");

/** nginx in the foreground with the documented snippets, listening on `port`, proxying /chat/ to `upstreamPort`. */
async function startNginx(port: number, upstreamPort: number): Promise<void> {
  if (nginxBinary === null) throw new Error("nginx is required under CI and is not installed: apt-get install nginx (see .ci/run)");
  const dir = mkdtempSync(join(tmpdir(), "parlor-nginx-"));
  mkdirSync(join(dir, "logs"));
  // Run as root (CI containers), nginx would switch its workers to `nobody`, who cannot write the temp dir.
  const user = process.getuid?.() === 0 ? "user root;\n" : "";
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `  ${kind}_temp_path ${join(dir, kind)};`).join("\n");
  writeFileSync(
    join(dir, "nginx.conf"),
    `${user}daemon off;
worker_processes 1;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "logs/error.log")} warn;
events { worker_connections 64; }
http {
  access_log off;
${temp}
  include ${join(NGINX_DOCS, "connection-upgrade.conf")};
  upstream parlor_chat { server 127.0.0.1:${upstreamPort}; }
  server {
    listen 127.0.0.1:${port};
    server_name localhost;
    include ${join(NGINX_DOCS, "parlor-chat.conf")};
  }
}
`,
  );
  const check = spawnSync(nginxBinary, ["-t", "-p", dir, "-c", join(dir, "nginx.conf")], { encoding: "utf8" });
  expect(check.status, check.stderr).toBe(0);
  const nginx: ChildProcess = spawn(nginxBinary, ["-p", dir, "-c", join(dir, "nginx.conf")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  nginx.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  registerCleanup(async () => {
    if (nginx.exitCode === null) {
      const exited = new Promise((done) => nginx.once("exit", done));
      nginx.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  await eventually(`nginx listening on ${port} (${stderr})`, async () => {
    if (nginx.exitCode !== null) throw new Error(`nginx exited: ${stderr}${readFileSync(join(dir, "logs/error.log"), "utf8")}`);
    return fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
  });
}

describe.skipIf(nginxBinary === null && !process.env.CI)("the documented nginx config in front of an app at /chat/", () => {
  it("logs in and opens a socket.io websocket through nginx; the path is forwarded unchanged", async () => {
    const port = await freePort();
    const origin = `http://localhost:${port}`;
    const t = await startTestServer({ server: { publicUrl: `${origin}/chat/`, trustedProxies: ["127.0.0.1"] } });
    await startNginx(port, t.port);

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
