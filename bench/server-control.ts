/**
 * Starting and talking to the server under test (bench/server-process.ts) from the benchmarks,
 * and logging in to it like a browser would.
 */
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CHILD_ENV, type ChildMessage, type ClusterSettings, type ParentMessage, type RealtimeStats, type ServerStats } from "./protocol.js";

export interface ServerProcess {
  pid: number;
  port: number;
  cookieName: string;
  stats(): Promise<ServerStats>;
  /** Memory and socket counts; `gc` runs a full garbage collection first, `resetPeak` restarts the peak RSS. */
  realtime(options?: { gc?: boolean; resetPeak?: boolean }): Promise<RealtimeStats>;
  /** Where the server's storage keeps a file's bytes (files benchmark; local storage only). */
  filePath(id: string): Promise<{ storageKey: string; path: string; size: number }>;
  stop(): Promise<void>;
}

export interface ServerSettings {
  dataDir: string;
  authSecret: string;
  password: string;
  /** `chat.eventsPerSecond` / `chat.eventBurst` for the server; its defaults when absent. */
  chatLimits?: { eventsPerSecond: number; eventBurst: number } | undefined;
  /** `files.maxUploadBytes` for the server; its default (20 MiB) when absent. */
  filesMaxBytes?: number | undefined;
  /** A folder the server serves with `@fastify/static` under STATIC_PREFIX (files benchmark). */
  staticRoot?: string | undefined;
  /** Also serve it under STATIC_64K_PREFIX with 64 KiB reads. */
  static64k?: boolean | undefined;
  cpuProfileDir?: string | undefined;
  /** One node of several: the shared PostgreSQL, Redis and public URL (cluster benchmark). */
  cluster?: ClusterSettings | undefined;
}

const READY_TIMEOUT_MS = 30_000;
const STATS_TIMEOUT_MS = 10_000;

/**
 * Runs `use` against a fresh server process in a temporary data folder, with a random
 * secret and demo password, and removes both afterwards, whatever happens.
 */
export async function withServerProcess<T>(
  settings: Omit<ServerSettings, "dataDir" | "authSecret" | "password"> & { dataDir?: string },
  use: (server: ServerProcess, password: string) => Promise<T>,
): Promise<T> {
  const dataDir = settings.dataDir ?? mkdtempSync(join(tmpdir(), "parlor-bench-"));
  try {
    const password = randomBytes(16).toString("base64url");
    const server = await startServerProcess({ ...settings, dataDir, authSecret: randomBytes(32).toString("base64url"), password });
    try {
      return await use(server, password);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function startServerProcess(settings: ServerSettings): Promise<ServerProcess> {
  return startChild("./server-process.ts", settings.cpuProfileDir, {
    [CHILD_ENV.dataDir]: settings.dataDir,
    [CHILD_ENV.authSecret]: settings.authSecret,
    [CHILD_ENV.password]: settings.password,
    ...(settings.chatLimits ? { [CHILD_ENV.chatLimits]: JSON.stringify(settings.chatLimits) } : {}),
    ...(settings.filesMaxBytes ? { [CHILD_ENV.filesMaxBytes]: String(settings.filesMaxBytes) } : {}),
    ...(settings.staticRoot ? { [CHILD_ENV.staticRoot]: settings.staticRoot } : {}),
    ...(settings.static64k ? { [CHILD_ENV.static64k]: "1" } : {}),
    ...(settings.cluster ? { [CHILD_ENV.cluster]: JSON.stringify(settings.cluster) } : {}),
  });
}

/**
 * Runs `use` against a bare server in its own process (baseline-process.ts): `fastify` answers
 * `body` on BARE_FASTIFY_ROUTE, `socketio` answers chat messages like the echo app. Only
 * `stats()` and `stop()` work on it.
 */
export async function withBaselineProcess<T>(
  settings: { kind: "fastify"; body: unknown } | { kind: "socketio" },
  use: (server: ServerProcess) => Promise<T>,
): Promise<T> {
  const server = await startChild("./baseline-process.ts", undefined, {
    [CHILD_ENV.baseline]: settings.kind,
    ...(settings.kind === "fastify" ? { [CHILD_ENV.baselineBody]: JSON.stringify(settings.body) } : {}),
  });
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}

/**
 * Pins `serverPid` (all its threads) to the first core and this process to the others with
 * `taskset`, so the server and the load generator never share a core and each has one to
 * itself; returns a function that gives this process all cores back. `null` when it cannot
 * (one core, no `taskset`): the run goes on unpinned.
 */
export function pinServerAndSelf(serverPid: number): (() => void) | null {
  const count = cpus().length;
  if (count < 2) return null;
  try {
    execFileSync("taskset", ["-a", "-cp", "0", String(serverPid)], { stdio: "ignore" });
    execFileSync("taskset", ["-a", "-cp", `1-${count - 1}`, String(process.pid)], { stdio: "ignore" });
  } catch {
    return null;
  }
  return () => {
    try {
      execFileSync("taskset", ["-a", "-cp", `0-${count - 1}`, String(process.pid)], { stdio: "ignore" });
    } catch {
      // Nothing to undo if taskset went away; the process ends soon anyway.
    }
  };
}

async function startChild(script: string, cpuProfileDir: string | undefined, env: Record<string, string>): Promise<ServerProcess> {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [], {
    execArgv: [
      "--import",
      "tsx",
      // Only used when a benchmark asks for a collection before reading memory (idle sockets).
      "--expose-gc",
      ...(cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`] : []),
    ],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  // Whatever happens to this process, the server does not outlive it.
  const killChild = () => child.kill();
  process.once("exit", killChild);

  const exited = new Promise<never>((_, reject) => {
    child.once("exit", (code, signal) => reject(new Error(`The server process exited (code ${code}, signal ${signal})`)));
  });
  exited.catch(() => {});

  const ask = async <T extends ChildMessage["type"]>(message: ParentMessage, type: T) => {
    child.send(message);
    return Promise.race([nextMessage(child, STATS_TIMEOUT_MS, type), exited]);
  };

  try {
    const ready = await Promise.race([nextMessage(child, READY_TIMEOUT_MS, "ready"), exited]);
    return {
      pid: child.pid!,
      port: ready.port,
      cookieName: ready.cookieName,
      async stats() {
        return (await ask({ type: "stats" }, "stats")).stats;
      },
      async realtime(options = {}) {
        return (await ask({ type: "realtime", ...options }, "realtime")).stats;
      },
      async filePath(id) {
        const { storageKey, path, size } = await ask({ type: "filePath", id }, "filePath");
        return { storageKey, path, size };
      },
      async stop() {
        process.off("exit", killChild);
        if (child.exitCode !== null || child.signalCode !== null) return;
        const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.send({ type: "stop" });
        // The server exits by itself; with --cpu-prof it first writes its profile.
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await gone;
        clearTimeout(timer);
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    process.off("exit", killChild);
    throw error;
  }
}

/** The next message of `type` from the child; an `error` message from it rejects. */
function nextMessage<T extends ChildMessage["type"]>(child: ChildProcess, timeoutMs: number, type: T): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off("message", onMessage);
      reject(new Error(`No '${type}' message from the server process within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    function onMessage(message: ChildMessage) {
      if (message.type !== type && message.type !== "error") return;
      clearTimeout(timer);
      child.off("message", onMessage);
      if (message.type === "error") reject(new Error(`The server process failed:\n${message.message}`));
      else resolve(message as Extract<ChildMessage, { type: T }>);
    }
    child.on("message", onMessage);
  });
}

export interface Login {
  /** The `Cookie` header to send: `name=value`. */
  cookie: string;
  /** From the login answer; socket handshakes send it in `auth.csrfToken`. */
  csrfToken: string;
}

/** POST /auth/login like a same-origin page would. */
export async function logIn(base: string, cookieName: string, username: string, password: string): Promise<Login> {
  const response = await fetch(`${base}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) {
    throw new Error(`POST /auth/login (${username}) answered ${response.status}: ${await response.text()}`);
  }
  const body = (await response.json()) as { csrfToken?: unknown };
  if (typeof body.csrfToken !== "string") throw new Error(`POST /auth/login (${username}) answered no csrfToken`);
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith(`${cookieName}=`));
  if (setCookie === undefined) throw new Error(`POST /auth/login (${username}) set no ${cookieName} cookie`);
  const end = setCookie.indexOf(";");
  return { cookie: end === -1 ? setCookie : setCookie.slice(0, end), csrfToken: body.csrfToken };
}

/**
 * The soft limit on open files of this shell (`ulimit -n`), which the server child inherits;
 * null when it cannot be read (no `sh`) or is unlimited.
 */
export function openFileLimit(): number | null {
  try {
    const out = execFileSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).trim();
    const n = Number(out);
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}
