/** Messages between the benchmarks (parent) and the Parlor server they run in a child process (IPC). */

/** Counters the child keeps; the parent reads them between measurements only. */
export interface ServerStats {
  /** SQL statements run on the SQLite connection since start-up. */
  dbStatements: number;
  /** `process.cpuUsage()` of the server process, in microseconds. */
  cpuUser: number;
  cpuSystem: number;
  /** `process.hrtime.bigint()` at the moment of the snapshot, in nanoseconds (as a number). */
  wallNs: number;
  /**
   * `performance.eventLoopUtilization()`: ms the event loop spent running callbacks (`active`)
   * and waiting for I/O (`idle`) since start-up. A loop busy ~100 % of the wall time while the
   * process got less than a core of CPU was waiting for a CPU: other processes had it.
   */
  eluActiveMs: number;
  eluIdleMs: number;
}

/** Memory and connection counts of the server process, for the realtime benchmarks. */
export interface RealtimeStats extends ServerStats {
  /** `process.memoryUsage()` at the moment of the snapshot, in bytes. */
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Highest RSS seen by the child's sampler (every 100 ms) since start-up or the last `resetPeak`. */
  peakRss: number;
  /** socket.io's view: engine.io connections (`io.engine.clientsCount`)… */
  engineClients: number;
  /** …and sockets that passed the authenticating middleware, in the main namespace. */
  namespaceSockets: number;
  /** Open TCP connections on the HTTP server (`server.getConnections()`), upgraded ones included. */
  tcpConnections: number;
}

export type ChildMessage =
  | { type: "ready"; port: number; cookieName: string }
  | { type: "stats"; stats: ServerStats }
  | { type: "realtime"; stats: RealtimeStats }
  /** Where the storage keeps an uploaded file's bytes (local storage: `<dataDir>/files/<2 chars>/<key>`). */
  | { type: "filePath"; id: string; storageKey: string; path: string; size: number }
  | { type: "error"; message: string };

export type ParentMessage =
  | { type: "stats" }
  /** `gc`: run a full garbage collection first (the child runs with --expose-gc). */
  | { type: "realtime"; gc?: boolean; resetPeak?: boolean }
  /** Looks up a file's row (the `storage_key` column of `files`) by its id. */
  | { type: "filePath"; id: string }
  | { type: "stop" };

/** Environment variables the parent passes to the child. */
export const CHILD_ENV = {
  dataDir: "PARLOR_BENCH_DATA_DIR",
  authSecret: "PARLOR_BENCH_AUTH_SECRET",
  password: "PARLOR_BENCH_PASSWORD",
  /** Optional: `chat.eventsPerSecond` and `chat.eventBurst` as JSON (`{"eventsPerSecond":…,"eventBurst":…}`). */
  chatLimits: "PARLOR_BENCH_CHAT_LIMITS",
  /** Optional: `files.maxUploadBytes` (the default, 20 MiB, is too small for the files benchmark). */
  filesMaxBytes: "PARLOR_BENCH_FILES_MAX_BYTES",
  /** Optional: a folder served by `@fastify/static` under STATIC_PREFIX, for the files benchmark. */
  staticRoot: "PARLOR_BENCH_STATIC_ROOT",
  /** Optional ("1"): also serve the static root under STATIC_64K_PREFIX, reading 64 KiB at a time. */
  static64k: "PARLOR_BENCH_STATIC_64K",
  /**
   * Optional, cluster benchmark: JSON `{ databaseUrl, redisUrl, redisPrefix, publicUrl }`. The node
   * joins the other nodes started with the same values (PostgreSQL schema, Redis prefix, cookie name).
   */
  cluster: "PARLOR_BENCH_CLUSTER",
  /** baseline-process.ts only: which bare server to run, `fastify` or `socketio`. */
  baseline: "PARLOR_BENCH_BASELINE",
  /** baseline-process.ts only: the JSON the bare Fastify route answers (Parlor's `/auth/me` body). */
  baselineBody: "PARLOR_BENCH_BASELINE_BODY",
} as const;

/** What makes a server process one node of several (CHILD_ENV.cluster). */
export interface ClusterSettings {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  publicUrl: string;
}

/** The route the authenticated path is compared with: same server, same global hooks, no auth. */
export const BARE_ROUTE = "/bench/bare";

/** The one route of the bare Fastify server in its own process (baseline-process.ts). */
export const BARE_FASTIFY_ROUTE = "/bench/fastify";

/**
 * Where the files benchmark serves the storage folder with `@fastify/static` (only when
 * CHILD_ENV.staticRoot is set): the same bytes as `GET /api/files/:id`, without Parlor's route.
 */
export const STATIC_PREFIX = "/bench-static/";
/** The same folder through @fastify/static's `reply.sendFile` with `highWaterMark: 65536` (only with CHILD_ENV.static64k). */
export const STATIC_64K_PREFIX = "/bench-static-64k/";
