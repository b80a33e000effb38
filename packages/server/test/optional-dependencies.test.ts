import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ParlorConfigError } from "parlor";
import { pgUrl } from "@parlor/test-support";
import { importOptional } from "../src/config/optional-dependency.js";

/**
 * pg and the AWS SDK are optional peer dependencies of `parlor`: a server that does not use
 * them starts without them, and one that does fails start-up with one line saying what to
 * install. The processes below run the real server with those packages hidden from Node's
 * module resolution (fixtures/hide-packages.mjs), since this repository installs them.
 */
const FIXTURE = fileURLToPath(new URL("./fixtures/serve-test-app.ts", import.meta.url));
const HIDE = fileURLToPath(new URL("./fixtures/hide-packages.mjs", import.meta.url));
const ALL_OPTIONAL = "pg,@aws-sdk/client-s3,@aws-sdk/lib-storage,ioredis,@socket.io/redis-adapter";

describe("importOptional", () => {
  const feature = { feature: "Testing", packages: ["parlor-test-absent", "@parlor-test/absent"] };
  // Built at run time so that no bundler or type checker tries to resolve them.
  const importPackage = (name: string) => import(/* @vite-ignore */ [name][0]!);

  it("turns Node's own error for a missing listed package into a ParlorConfigError with the install line", async () => {
    for (const name of ["parlor-test-absent", "@parlor-test/absent", "@parlor-test/absent/sub"]) {
      const failure = await importOptional(() => importPackage(name), feature).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ParlorConfigError);
      expect((failure as Error).message).toBe(`Testing needs the package ${name}, which is not installed: npm install parlor-test-absent @parlor-test/absent`);
      expect((failure as Error).cause).toMatchObject({ code: "ERR_MODULE_NOT_FOUND" });
    }
  });

  it("rethrows any other failure unchanged: a package it does not list, or an error while loading", async () => {
    const other = await importOptional(() => importPackage("parlor-test-something-else"), feature).catch((error: unknown) => error);
    expect(other).not.toBeInstanceOf(ParlorConfigError);
    expect(other).toMatchObject({ code: "ERR_MODULE_NOT_FOUND" });

    const broken = new Error("Cannot find package 'parlor-test-absent' while doing something else");
    await expect(importOptional(() => Promise.reject(broken), feature)).rejects.toBe(broken);
  });

  it("returns the module when it is there", async () => {
    const module = await importOptional(() => import("node:path"), feature);
    expect(module.join("a", "b")).toBe(join("a", "b"));
  });
});

describe("a server process without the optional packages installed", () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), "parlor-optional-"));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  /** Starts the fixture app with the `hidden` packages unresolvable. */
  function serve(hidden: string, env: Record<string, string>) {
    const child = spawn(process.execPath, ["--import", "tsx", "--import", HIDE, FIXTURE], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        HOST: "127.0.0.1",
        PARLOR_DATA_DIR: dataDir,
        PARLOR_WEB_ROOT: "false",
        PARLOR_LOG_LEVEL: "warn",
        PARLOR_TEST_HIDDEN_PACKAGES: hidden,
        ...env,
      },
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return { child, exited, stderr: () => stderr };
  }

  it("PostgreSQL without pg: exits 2 with one line that says to npm install pg", async () => {
    // Nothing listens on port 1: the failure must come before any connection attempt.
    const server = serve(ALL_OPTIONAL, { PORT: String(await freePort()), PARLOR_DATABASE_URL: "postgres://parlor@127.0.0.1:1/chat" });
    expect(await server.exited).toBe(2);
    expect(server.stderr()).toBe("parlor: PostgreSQL (a postgres:// PARLOR_DATABASE_URL) needs the package pg, which is not installed: npm install pg\n");
  });

  it("S3 storage without the AWS SDK: exits 2 with one line that says what to install", async () => {
    const server = serve(ALL_OPTIONAL, {
      PORT: String(await freePort()),
      PARLOR_FILES_STORAGE: "s3",
      PARLOR_S3_BUCKET: "uploads",
      PARLOR_S3_ENDPOINT: "http://127.0.0.1:1",
    });
    expect(await server.exited).toBe(2);
    expect(server.stderr()).toBe(
      "parlor: S3 file storage (PARLOR_FILES_STORAGE=s3) needs the package @aws-sdk/client-s3, which is not installed: npm install @aws-sdk/client-s3 @aws-sdk/lib-storage\n",
    );
  });

  it.skipIf(pgUrl === undefined)("Redis without ioredis and the adapter: exits 2 with one line that says what to install", async () => {
    const server = serve("ioredis,@socket.io/redis-adapter", {
      PORT: String(await freePort()),
      PARLOR_DATABASE_URL: pgUrl!,
      PARLOR_REDIS_URL: "redis://127.0.0.1:1",
    });
    expect(await server.exited).toBe(2);
    expect(server.stderr()).toBe(
      "parlor: Several nodes (PARLOR_REDIS_URL) needs the package ioredis, which is not installed: npm install ioredis @socket.io/redis-adapter\n",
    );
  });

  it("SQLite and local files: starts and serves without pg, the AWS SDK and the Redis packages", async () => {
    const port = await freePort();
    const server = serve(ALL_OPTIONAL, { PORT: String(port) });
    try {
      const deadline = Date.now() + 15_000;
      let healthy = false;
      while (!healthy && Date.now() < deadline && server.child.exitCode === null) {
        healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (response) => response.ok,
          () => false,
        );
        if (!healthy) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(healthy, server.stderr()).toBe(true);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
