import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { eventually, registerCleanup } from "@parlor/test-support";

/** docs/nginx/: the configuration snippets the docs show, tested as they are. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
export const NGINX_DOCS = join(REPO_ROOT, "docs/nginx");
/** docs/compose/: the reference deployment's compose file and nginx site. */
export const COMPOSE_DOCS = join(REPO_ROOT, "docs/compose");

/** nginx's binary, or `null` when it is not installed (`apt-get install nginx`). */
export const nginxBinary = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"].find((path) => existsSync(path)) ?? null;

export interface NginxOptions {
  /** Where nginx listens, on 127.0.0.1. */
  port: number;
  /** The `upstream parlor_chat { … }` block (http level). */
  upstream: string;
  /** More directives in the `server` block, after the documented location. */
  serverExtras?: string;
}

/**
 * nginx in the foreground with the documented snippets (connection-upgrade.conf, and
 * parlor-chat.conf for a Parlor app at /chat/), unprivileged in a temporary prefix (`daemon
 * off`, its pid, logs and temp files there). Stopped when the test ends.
 */
export async function startNginx({ port, upstream, serverExtras = "" }: NginxOptions): Promise<void> {
  if (nginxBinary === null) throw new Error("nginx is required under CI and is not installed: apt-get install nginx (see .ci/run)");
  const dir = mkdtempSync(join(tmpdir(), "parlor-nginx-"));
  mkdirSync(join(dir, "logs"));
  // Run as root (CI containers), nginx would switch its workers to `nobody`, who cannot write the temp dir.
  const user = process.getuid?.() === 0 ? "user root;\n" : "";
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `  ${kind}_temp_path ${join(dir, kind)};`).join("\n");
  writeFileSync(join(dir, "upstream.conf"), upstream);
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
  include ${join(dir, "upstream.conf")};
  server {
    listen 127.0.0.1:${port};
    server_name localhost;
    include ${join(NGINX_DOCS, "parlor-chat.conf")};
    ${serverExtras}
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
