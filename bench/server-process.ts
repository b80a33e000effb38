/**
 * The Parlor server under test, run in its own process (started by `server-control.ts` with
 * `fork`) so the load generator and the server do not share a core.
 *
 * It uses the built package (`parlor` → packages/server/dist), adds one bare route, listens on
 * a free loopback port and tells the parent the port over IPC. It also counts every SQL
 * statement the SQLite connection runs, so the parent can check that the authenticated
 * fast path never reaches the database, and reports its memory and how many sockets socket.io
 * holds, for the realtime benchmarks. For the files benchmark it can also serve a folder with
 * `@fastify/static` (the storage's, to compare with `GET /api/files/:id`) and say where a file's
 * bytes are on disk.
 */
import fastifyStatic, { type SendOptions } from "@fastify/static";
import Database from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import { mkdirSync, statSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { echoApp } from "@parlor/test-support/echo-app";
import { createServer } from "parlor";
import { Server as SocketIoServer } from "socket.io";
import {
  BARE_ROUTE,
  CHILD_ENV,
  type ChildMessage,
  type ClusterSettings,
  type ParentMessage,
  type RealtimeStats,
  type ServerStats,
  STATIC_64K_PREFIX,
  STATIC_PREFIX,
} from "./protocol.js";

// ---- Database spy -------------------------------------------------------------------------
// Counts statements *run*, not prepared: the server prepares each SQL text once and reuses it
// (packages/server/src/data/statement-cache.ts). Kysely's SQLite driver runs every query (and
// begin/commit) with a statement's `all`, `run` or `iterate`; `get` and `Database#exec` are
// counted too, for completeness. Installed before the server opens its database, on the same
// `better-sqlite3` module instance the server imports (it is hoisted to the root); the
// statement class is not exported, so its prototype is taken from a throw-away statement.
let dbStatements = 0;
function countCalls(target: object, methods: readonly string[]): void {
  const proto = target as Record<string, (...args: unknown[]) => unknown>;
  for (const method of methods) {
    const original = proto[method]!;
    proto[method] = function countedStatement(this: unknown, ...args: unknown[]) {
      dbStatements++;
      return original.apply(this, args);
    };
  }
}
const probe = new Database(":memory:");
countCalls(Object.getPrototypeOf(probe.prepare("select 1")) as object, ["all", "run", "get", "iterate"]);
probe.close();
countCalls(Database.prototype, ["exec"]);

// ---- socket.io server ---------------------------------------------------------------------
// `ParlorServer` does not expose its socket.io `Server`; `attachRealtime` builds it with
// `new Server(fastify.server, …)`, whose constructor calls `attach`. Capturing `this` there
// (same hoisted `socket.io` module instance as the server's) lets the benchmark count the
// sockets socket.io holds. Nothing else is changed.
let io: SocketIoServer | undefined;
const ioProto = SocketIoServer.prototype as unknown as { attach: (...args: unknown[]) => unknown };
const originalAttach = ioProto.attach;
ioProto.attach = function capturedAttach(this: SocketIoServer, ...args: unknown[]) {
  // eslint-disable-next-line @typescript-eslint/no-this-alias -- capturing the instance socket.io creates is the point of this patch
  io = this;
  return originalAttach.apply(this, args);
};

// ---- Memory sampler -----------------------------------------------------------------------
let peakRss = process.memoryUsage.rss();
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 100).unref();

function send(message: ChildMessage): void {
  process.send?.(message);
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`server-process: ${name} is not set (this file is started by bench/run.ts)`);
  return value;
}

function stats(): ServerStats {
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  return {
    dbStatements,
    cpuUser: cpu.user,
    cpuSystem: cpu.system,
    wallNs: Number(process.hrtime.bigint()),
    eluActiveMs: elu.active,
    eluIdleMs: elu.idle,
  };
}

async function main(): Promise<void> {
  if (!process.send) throw new Error("server-process must be started with an IPC channel (fork)");
  const password = required(CHILD_ENV.password);
  const chatLimits = process.env[CHILD_ENV.chatLimits];
  const filesMaxBytes = process.env[CHILD_ENV.filesMaxBytes];
  const staticRoot = process.env[CHILD_ENV.staticRoot];
  const clusterJson = process.env[CHILD_ENV.cluster];
  const cluster = clusterJson ? (JSON.parse(clusterJson) as ClusterSettings) : undefined;

  const server = await createServer(
    // The tests' echo app (chat-latency.ts): streams the message back word by word, no delay.
    // The other benchmarks send no message.
    echoApp({ name: "Parlor Bench", password, displayName: () => "Bench User" }),
    {
      // Nothing from the caller's shell (PARLOR_DATABASE_URL, PARLOR_LOG_LEVEL…) changes the run.
      env: {},
      server: {
        logLevel: "silent",
        dataDir: required(CHILD_ENV.dataDir),
        authSecret: required(CHILD_ENV.authSecret),
        port: 0,
        host: "127.0.0.1",
        loginRateLimit: { max: 100_000 },
        // Thousands of sockets from one address and, in some runs, one user: the abuse limits
        // (per-IP handshakes, sockets per session and user) are not what is measured here.
        realtime: { handshakesPerMinute: 1_000_000 },
        chat: {
          // The heartbeat (a few statements every 5 s) would be counted as the fast path's SQL.
          heartbeatInterval: 3600,
          maxSocketsPerSession: 1_000_000,
          maxSocketsPerUser: 1_000_000,
          ...(chatLimits ? (JSON.parse(chatLimits) as { eventsPerSecond: number; eventBurst: number }) : {}),
        },
        ...(filesMaxBytes ? { files: { maxUploadBytes: Number(filesMaxBytes) } } : {}),
        // Cluster benchmark: every node gets the same database, Redis prefix and public URL,
        // like nodes behind one load balancer ("Several nodes" in packages/server/README.md).
        ...(cluster
          ? { databaseUrl: cluster.databaseUrl, publicUrl: cluster.publicUrl, redis: { url: cluster.redisUrl, prefix: cluster.redisPrefix, startupTimeout: 5 } }
          : {}),
      },
    },
  );
  if (io === undefined) throw new Error("server-process: did not see the socket.io Server being attached (has attachRealtime changed?)");
  const realtime = io;

  // Same instance, so the same global hooks (session lookup, CSRF) and security headers run; without a
  // token the session hook returns at once.
  server.fastify.get(BARE_ROUTE, { config: { auth: "optional" } }, () => ({ ok: true }));

  // Files benchmark: the same bytes through @fastify/static, on the same server (same global
  // hooks, security headers, socket.io's request check). @fastify/static takes no per-route config, so,
  // as web-ui.ts does, an onRoute hook in this encapsulated plugin marks its routes
  // `auth: "optional"` (the global auth hook would answer 401 otherwise).
  if (staticRoot) {
    // @fastify/static checks the root when registered; LocalFileStorage creates it on first upload.
    mkdirSync(staticRoot, { recursive: true });
    await server.fastify.register(async function benchStatic(scope: FastifyInstance) {
      scope.addHook("onRoute", (route) => {
        route.config = { ...route.config, auth: "optional" };
      });
      await scope.register(fastifyStatic, { root: staticRoot, prefix: STATIC_PREFIX });
      // @fastify/send reads with `highWaterMark: null` unless told otherwise, i.e. the generic
      // stream default (16 KiB on Node 20), where Parlor's createReadStream reads 64 KiB. This
      // route (`--file-static-64k`) is @fastify/static with Parlor's read size; `reply.sendFile`
      // (decorated in this scope only) passes the option through to @fastify/send.
      if (process.env[CHILD_ENV.static64k]) {
        scope.get(`${STATIC_64K_PREFIX}*`, (request, reply) =>
          reply.sendFile((request.params as { "*": string })["*"], { highWaterMark: 64 * 1024 } as SendOptions),
        );
      }
    });
  }

  await server.fastify.listen({ port: 0, host: "127.0.0.1" });
  const http = server.fastify.server;
  const { port } = http.address() as AddressInfo;

  const realtimeStats = async (gc: boolean, resetPeak: boolean): Promise<RealtimeStats> => {
    if (gc) {
      const collect = (globalThis as { gc?: () => void }).gc;
      if (!collect) throw new Error("server-process: gc requested but the process was not started with --expose-gc");
      collect();
    }
    const tcpConnections = await new Promise<number>((resolve, reject) => http.getConnections((error, count) => (error ? reject(error) : resolve(count))));
    const memory = process.memoryUsage();
    peakRss = Math.max(peakRss, memory.rss);
    const result: RealtimeStats = {
      ...stats(),
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      external: memory.external,
      arrayBuffers: memory.arrayBuffers,
      peakRss,
      engineClients: realtime.engine.clientsCount,
      namespaceSockets: realtime.of("/").sockets.size,
      tcpConnections,
    };
    if (resetPeak) peakRss = memory.rss;
    return result;
  };

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    // process.exit (not just letting the loop drain) so `--cpu-prof` writes its profile now.
    process.exit(0);
  };

  process.on("message", (message: ParentMessage) => {
    if (message.type === "stats") send({ type: "stats", stats: stats() });
    else if (message.type === "realtime") {
      realtimeStats(message.gc ?? false, message.resetPeak ?? false).then(
        (s) => send({ type: "realtime", stats: s }),
        (error: unknown) => send({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
    } else if (message.type === "filePath") {
      server.files
        .findById(message.id)
        .then((row) => {
          if (row === null) throw new Error(`server-process: no file ${message.id}`);
          if (server.config.files.storage !== "local") throw new Error("server-process: files.storage is not local");
          const key = row.storage_key;
          const path = join(server.config.dataDir, "files", key.slice(0, 2), key);
          send({ type: "filePath", id: row.id, storageKey: key, path, size: statSync(path).size });
        })
        .catch((error: unknown) => send({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
    } else if (message.type === "stop") void stop();
  });
  // The parent went away (crash, Ctrl-C): do not linger.
  process.on("disconnect", () => void stop());

  send({ type: "ready", port, cookieName: server.config.cookie.name });
}

main().catch((error: unknown) => {
  send({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
