import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ParlorConfigError, resolveConfig, resolveDatabaseConfig } from "parlor";
import { startBlackholeProxy } from "./helpers/blackhole-proxy.js";
import { freePort, startTestServer, TEST_SECRET, type TestClient, type TestDialect, type TestServer } from "@parlor/test-support";
import { canRunThrowawayPostgres, startThrowawayPostgres, type ThrowawayPostgres } from "./helpers/throwaway-postgres.js";

/**
 * Issue #9: stopping PostgreSQL under traffic killed Parlor (the pg pool's 'error' event had
 * no listener). These tests stop and start a real PostgreSQL cluster of their own.
 */
// CI runs where PostgreSQL is installed: there a missing binary fails the suite instead of skipping it.
describe.skipIf(!canRunThrowawayPostgres() && !process.env.CI)("database outage (a throwaway PostgreSQL cluster)", () => {
  let database: ThrowawayPostgres;
  let t: TestServer | undefined;

  beforeAll(async () => {
    database = await startThrowawayPostgres();
  }, 60_000);
  afterAll(async () => database?.destroy());
  afterEach(async () => {
    await t?.stop();
    t = undefined;
    await database.start(); // a failed test must not leave the next one without a database
  });

  /** The throwaway cluster as the test server's database (the tests share its `public` schema). */
  const throwaway: TestDialect = { name: "postgres", create: async () => ({ url: database.url, dispose: async () => {} }) };

  const loggedInClients = async (count: number): Promise<TestClient[]> =>
    Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const client = t!.client();
        expect((await client.login(`user${index}`)).status).toBe(200);
        return client;
      }),
    );

  it("survives PostgreSQL stopping under traffic: 503 `unavailable` while it is away, then recovers by itself", async () => {
    t = await startTestServer({ dialect: throwaway });
    const clients = await loggedInClients(6);
    const traffic = startTraffic(clients);
    try {
      await traffic.waitForAnswers(30); // the pool now holds several idle connections
      expect(traffic.outcomes.every((outcome) => outcome.status === 200)).toBe(true);

      await database.stop(); // fast shutdown: 57P01 to every idle pooled connection
      const outageStart = traffic.outcomes.length;
      await traffic.waitForAnswers(40);
      const duringOutage = traffic.outcomes.slice(outageStart);
      // Every request got an answer (startTraffic fails the test on a request that hangs):
      // 503 in the documented shape, or 200 for one that finished just before the stop.
      for (const outcome of duringOutage) {
        if (outcome.status === 200) continue;
        expect(outcome).toEqual({ client: outcome.client, status: 503, code: "unavailable", retryAfter: expect.stringMatching(/^\d+$/) });
      }
      expect(duringOutage.filter((outcome) => outcome.status === 503).length).toBeGreaterThan(20);
      expect((await fetch(`${t.origin}/healthz`)).status).toBe(200); // the process is alive
      // …but not ready, and says which part fails.
      const readiness = await fetch(`${t.origin}/readyz`);
      expect(readiness.status).toBe(503);
      expect(await readiness.json()).toEqual({ status: "unavailable", checks: { database: expect.stringMatching(/^(unreachable|timeout)$/), files: "ok" } });

      await database.start();
      const recoveryStart = traffic.outcomes.length;
      // Recovered without restarting Parlor: every client gets 200 again within 10 s.
      await waitUntil(() => clients.every((_, index) => traffic.outcomes.slice(recoveryStart).some((o) => o.client === index && o.status === 200)), 10_000);
    } finally {
      await traffic.stop();
    }
    const after = await Promise.all(clients.map((client) => client.get("/api/threads")));
    expect(after.map((response) => response.status)).toEqual(clients.map(() => 200));
    expect((await fetch(`${t.origin}/readyz`)).status).toBe(200);
  }, 60_000);

  it("survives pg_terminate_backend on its pooled connections, and the next requests work", async () => {
    t = await startTestServer({ dialect: throwaway });
    const clients = await loggedInClients(5);
    for (let round = 0; round < 3; round++) {
      expect((await Promise.all(clients.map((client) => client.get("/api/threads")))).map((r) => r.status)).toEqual(clients.map(() => 200));
    }
    // The exact symptom of the issue: idle pooled connections receive 57P01 (terminating
    // connection due to administrator command). The timeout waits until the backends are gone.
    const terminated = await database.query<{ done: boolean }>(
      "select pg_terminate_backend(pid, 5000) as done from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()",
    );
    expect(terminated.length).toBeGreaterThan(0);
    expect(terminated.every((row) => row.done)).toBe(true);

    const next = await Promise.all(clients.map((client) => client.get("/api/threads")));
    expect(next.map((response) => response.status)).toEqual(clients.map(() => 200));
    expect((await t.client().login("newcomer")).status).toBe(200); // a write, on a fresh connection
  }, 30_000);

  it("answers 503 to a request whose connection dies mid-query, and keeps serving", async () => {
    t = await startTestServer({ dialect: throwaway });
    const [client] = await loggedInClients(1);
    // A lock the thread list must wait for holds its query in flight on a checked-out connection.
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    try {
      await locker.query("begin");
      await locker.query("lock table threads in access exclusive mode");
      const pending = client!.get("/api/threads");
      const waiting = "select pid from pg_stat_activity where wait_event_type = 'Lock' and pid <> pg_backend_pid()";
      await waitUntil(async () => (await database.query(waiting)).length > 0, 5_000);
      await database.query(`select pg_terminate_backend(pid, 5000) from (${waiting}) as blocked`);
      const response = await pending;
      expect(response.status).toBe(503);
      expect(response.body).toEqual({ error: { code: "unavailable", message: expect.any(String) } });
    } finally {
      await locker.end();
    }
    expect((await client!.get("/api/threads")).status).toBe(200);
  }, 30_000);

  it("answers 503 after database.connectTimeout, not never, when the database host stops answering; recovers after", async () => {
    const proxy = await startBlackholeProxy(database.port);
    try {
      const url = database.url.replace(`:${database.port}/`, `:${proxy.port}/`);
      t = await startTestServer({
        dialect: { name: "postgres", create: async () => ({ url, dispose: async () => {} }) },
        server: { database: { connectTimeout: 1 } },
      });
      const clients = await loggedInClients(3);
      expect((await Promise.all(clients.map((client) => client.get("/api/threads")))).map((r) => r.status)).toEqual([200, 200, 200]);

      proxy.blackhole(); // pooled connections are cut; new ones are never answered
      const during = await Promise.all(clients.map((client) => withinHangLimit(client.get("/api/threads"))));
      expect(during.map((response) => [response.status, response.body.error?.code])).toEqual(clients.map(() => [503, "unavailable"]));

      proxy.forward();
      await waitUntil(async () => (await clients[0]!.get("/api/threads")).status === 200, 10_000);
    } finally {
      await t?.stop();
      t = undefined;
      await proxy.close();
    }
  }, 30_000);

  it("opens at most database.poolSize connections, however many requests wait", async () => {
    t = await startTestServer({ dialect: throwaway, server: { database: { poolSize: 2 } } });
    const clients = await loggedInClients(6);
    const traffic = startTraffic(clients);
    const seen: number[] = [];
    try {
      for (let sample = 0; sample < 10; sample++) {
        await traffic.waitForAnswers(6);
        const [row] = await database.query<{ count: string }>(
          "select count(*) as count from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()",
        );
        seen.push(Number(row!.count));
      }
    } finally {
      await traffic.stop();
    }
    expect(Math.max(...seen)).toBeLessThanOrEqual(2);
    expect(traffic.outcomes.every((outcome) => outcome.status === 200)).toBe(true);
  }, 30_000);

  describe("start-up", () => {
    let child: ChildProcess | undefined;
    let dataDir: string;
    beforeAll(() => {
      dataDir = mkdtempSync(join(tmpdir(), "parlor-outage-"));
    });
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
    afterEach(async () => {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await new Promise((resolve) => child!.once("exit", resolve));
      }
      child = undefined;
    });

    /** The password must never reach a log line or an error message. */
    const PASSWORD = "s3cret-do-not-log";
    const urlWithPassword = () => database.url.replace("postgres@", `postgres:${PASSWORD}@`);

    /** Starts the fixture app in its own process, as `parlor run` would. */
    const serve = (port: number, env: Record<string, string>) => {
      const output = { stdout: "", stderr: "" };
      child = spawn(process.execPath, ["--import", "tsx", FIXTURE], {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PORT: String(port),
          HOST: "127.0.0.1",
          PARLOR_DATA_DIR: dataDir,
          PARLOR_AUTH_SECRET: TEST_SECRET,
          PARLOR_WEB_ROOT: "false",
          PARLOR_LOG_LEVEL: "info",
          PARLOR_DATABASE_URL: urlWithPassword(),
          ...env,
        },
      });
      child.stdout!.on("data", (chunk) => (output.stdout += chunk));
      child.stderr!.on("data", (chunk) => (output.stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
      return { output, exited };
    };

    it("waits for a database that is not up yet, says why in one log line, and starts when it comes", async () => {
      await database.stop();
      const port = await freePort();
      const { output } = serve(port, { PARLOR_DATABASE_STARTUP_TIMEOUT: "40" });
      await waitUntil(
        () => output.stdout.includes("waiting for the database"),
        20_000,
        () => JSON.stringify(output),
      );

      await database.start();
      const origin = `http://127.0.0.1:${port}`;
      await waitUntil(
        async () => (await fetch(`${origin}/healthz`).catch(() => null))?.status === 200,
        20_000,
        () => JSON.stringify(output),
      );
      const login = await fetch(`${origin}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", origin },
        body: JSON.stringify({ username: "late", password: "fixture-password" }),
      });
      expect(login.status).toBe(200); // migrations ran and the database answers

      const waitLines = output.stdout.split("\n").filter((line) => line.includes("waiting for the database"));
      expect(waitLines).toHaveLength(1);
      const message = JSON.parse(waitLines[0]!).msg as string;
      expect(message).toBe(
        `waiting for the database at postgres://postgres@127.0.0.1:${database.port}/postgres (password hidden): ECONNREFUSED; retrying for up to 40 s`,
      );
      expect(output.stdout + output.stderr).not.toContain(PASSWORD);
    }, 60_000);

    it("logs an outage once at warn, without pg's client object, and logs the recovery", async () => {
      const port = await freePort();
      const { output } = serve(port, {});
      const origin = `http://127.0.0.1:${port}`;
      await waitUntil(
        async () => (await fetch(`${origin}/healthz`).catch(() => null))?.status === 200,
        20_000,
        () => JSON.stringify(output),
      );
      const login = (username: string) =>
        fetch(`${origin}/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json", origin },
          body: JSON.stringify({ username, password: "fixture-password" }),
        });
      // Parallel logins leave several idle connections in the pool.
      expect((await Promise.all(["a", "b", "c", "d"].map(login))).map((r) => r.status)).toEqual([200, 200, 200, 200]);

      await database.stop();
      for (const name of ["e", "f", "g"]) {
        const response = await login(name);
        expect(response.status).toBe(503);
        expect(response.headers.get("retry-after")).toBe("5");
        expect(await response.json()).toEqual({ error: { code: "unavailable", message: expect.any(String) } });
      }
      await database.start();
      await waitUntil(async () => (await login("h")).status === 200, 10_000);

      const lines = output.stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { level: number; msg: string });
      const outage = lines.filter((line) => line.msg.startsWith("the database is unavailable"));
      expect(outage).toEqual([{ ...outage[0], level: 40 }]); // once, at warn
      // Usually the idle connections' 57P01 comes first; a refused new connection says the same.
      expect(outage[0]!.msg).toMatch(
        /^the database is unavailable \((terminating connection due to administrator command \(57P01\)|ECONNREFUSED)\): requests that need it are answered 503 until it is back$/,
      );
      expect(lines.filter((line) => line.msg === "the database is reachable again")).toHaveLength(1);
      // Nothing dumped pg's client (with its connection parameters) into the log.
      expect(output.stdout + output.stderr).not.toMatch(/connectionParameters|_queryable/);
      expect(child!.exitCode).toBe(null); // still running
    }, 60_000);

    it("gives up after PARLOR_DATABASE_STARTUP_TIMEOUT with an error naming the URL (no password) and the variable", async () => {
      await database.stop();
      const { output, exited } = serve(await freePort(), { PARLOR_DATABASE_STARTUP_TIMEOUT: "2" });
      expect(await exited).toBe(2);
      expect(output.stderr).toContain(
        `parlor: could not reach the database at postgres://postgres@127.0.0.1:${database.port}/postgres (password hidden) within 2 s: ECONNREFUSED. Check PARLOR_DATABASE_URL`,
      );
      expect(output.stdout + output.stderr).not.toContain(PASSWORD);
    }, 30_000);
  });
});

describe("database options", () => {
  const resolve = (env: Record<string, string>) => resolveConfig({ appName: "Chat", env: { PARLOR_AUTH_SECRET: TEST_SECRET, ...env } });

  it("carries pool size and timeouts for PostgreSQL, with defaults, in the server and in `parlor migrate`", () => {
    const url = "postgres://parlor@db.internal:5432/chat";
    expect(resolve({ PARLOR_DATABASE_URL: url }).database).toEqual({ dialect: "postgres", url, poolSize: 20, connectTimeout: 5, startupTimeout: 30 });
    const env = { PARLOR_DATABASE_URL: url, PARLOR_DATABASE_POOL_SIZE: "50", PARLOR_DATABASE_CONNECT_TIMEOUT: "2", PARLOR_DATABASE_STARTUP_TIMEOUT: "0" };
    const expected = { dialect: "postgres", url, poolSize: 50, connectTimeout: 2, startupTimeout: 0 };
    expect(resolve(env).database).toEqual(expected);
    expect(resolveDatabaseConfig(env)).toEqual(expected);
  });

  it.each([
    ["PARLOR_DATABASE_POOL_SIZE", "0"],
    ["PARLOR_DATABASE_POOL_SIZE", "lots"],
    ["PARLOR_DATABASE_CONNECT_TIMEOUT", "0"],
    ["PARLOR_DATABASE_CONNECT_TIMEOUT", "-1"],
    ["PARLOR_DATABASE_STARTUP_TIMEOUT", "soon"],
  ])("refuses %s=%s with a ParlorConfigError naming the variable", (name, value) => {
    for (const load of [() => resolve({ [name]: value }), () => resolveDatabaseConfig({ [name]: value, PARLOR_DATABASE_URL: "postgres://db/chat" })]) {
      expect(load).toThrow(ParlorConfigError);
      expect(load).toThrow(name);
    }
  });
});

const FIXTURE = fileURLToPath(new URL("./fixtures/serve-test-app.ts", import.meta.url));

interface Outcome {
  client: number;
  status: number;
  code?: string;
  retryAfter?: string | null;
}

/** How long a request may take before it counts as a hang (well above connectTimeout). */
const HANG_MS = 10_000;

/**
 * Each client asks for its threads in a loop, one request at a time, and records what it
 * got. A request without an answer within HANG_MS fails the test.
 */
function startTraffic(clients: TestClient[]) {
  const outcomes: Outcome[] = [];
  let running = true;
  const loops = clients.map(async (client, index) => {
    while (running) {
      const response = await withinHangLimit(client.get("/api/threads"));
      outcomes.push(
        response.status === 200
          ? { client: index, status: 200 }
          : { client: index, status: response.status, code: response.body?.error?.code, retryAfter: response.headers.get("retry-after") },
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  const failed = Promise.all(loops).then(() => undefined);
  failed.catch(() => undefined); // reported by waitForAnswers or stop, not as an unhandled rejection
  return {
    outcomes,
    /** Resolves once `count` more answers came in (or fails with the traffic). */
    async waitForAnswers(count: number) {
      const target = outcomes.length + count;
      await Promise.race([
        failed.then(() => {
          throw new Error("traffic stopped");
        }),
        waitUntil(() => outcomes.length >= target, HANG_MS * 2),
      ]);
    },
    async stop() {
      running = false;
      await failed;
    },
  };
}

/** Fails when a request has no answer within HANG_MS. */
function withinHangLimit<T>(request: Promise<T>): Promise<T> {
  return Promise.race([request, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${HANG_MS} ms`)), HANG_MS).unref())]);
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, context: () => string = () => ""): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms ${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
