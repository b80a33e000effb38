/**
 * `npm run bench`: builds the packages (the npm script does), then runs the benchmarks and
 * prints a summary: the auth fast path (auth-fast-path.ts), idle sockets (idle-sockets.ts), chat
 * latency (chat-latency.ts) and file downloads (files.ts); on request (it needs PostgreSQL and
 * Redis) two nodes of one app (cluster.ts). Exits non-zero on errors only (server
 * failed, non-2xx answers, the fast path touched the database, sockets that did not connect,
 * chat errors, a download with the wrong bytes, no backpressure), never for missing a
 * performance target.
 *
 *   npm run bench -- --rounds 20 --breakdown
 *   npm run bench -- --only me --profile          # CPU profile of the server, /auth/me only
 *   npm run bench -- --only sockets --sockets 20000
 *   npm run bench -- --only latency --chat-clients 500
 *   npm run bench -- --only files --file-size 4G --file-rounds 5
 *   npm run bench -- --cluster                    # = --only cluster
 */
import { mkdtempSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchAuthFastPath, ROUTES, SATURATED_CPU, type AuthFastPathResult, type RouteName } from "./auth-fast-path.js";
import { benchChatLatency, type ChatLatencyResult, type PhaseResult } from "./chat-latency.js";
import { benchCluster, DEFAULT_PG_URL, DEFAULT_REDIS_URL, type ClusterResult } from "./cluster.js";
import { benchFiles, FILE_ROUTE_LABELS, fmtSize, parseSize, type FilesResult } from "./files.js";
import { benchIdleSockets, IDLE_SOCKETS_TARGET, type IdleSocketsResult } from "./idle-sockets.js";
import { fmtInt, fmtMB, fmtMs, fmtPct, median, table } from "./util.js";

/** The fast path's target (bench/README.md, "Auth fast path"). */
const TARGET = 0.85;
/** Authenticated `/auth/me` against a bare Fastify server in its own process. */
const FASTIFY_TARGET = 0.75;
/** The chat benchmark's messages/s against a bare socket.io server, and its SQL per message. */
const SOCKETIO_TARGET = 0.5;
const SQL_PER_MESSAGE_TARGET = 3;

/** The default set; `cluster` runs only when asked for, since it needs PostgreSQL and Redis. */
const DEFAULT_BENCHMARKS = ["auth", "sockets", "latency", "files"] as const;
const BENCHMARKS = [...DEFAULT_BENCHMARKS, "cluster"] as const;
type BenchmarkName = (typeof BENCHMARKS)[number];

const USAGE = `Usage: npm run bench -- [options]
  --only <list>       comma-separated: auth, sockets, latency, files, cluster (default: the first four, in
                      that order; cluster needs PostgreSQL and Redis);
                      or one route of the auth benchmark (fastify, bare, bare+cookie, me or healthz),
                      which runs only that benchmark, measuring that route only, no ratio; for profiling
  --profile           run the server(s) with --cpu-prof; the profiles go to a temp folder
  --profile-dir <dir> same, into <dir>
  --no-pin            do not pin the servers (core 0) and this process (the other cores) with taskset
                      in the auth and chat benchmarks
  --cluster           same as --only cluster
  --help

Auth fast path (auth):
  --rounds <n>        interleaved rounds, each measures every route: the bare Fastify server, the
                      bare route, /auth/me and /healthz (default 10)
  --duration <s>      seconds per measurement (default 2)
  --warmup <s>        seconds of warm-up per route, 0 to skip (default 2)
  --connections <n>   concurrent connections (default 50)
  --pipelining <n>    requests in flight per connection (default 1)
  --breakdown         also measure the bare route with the session cookie (splits the cost of
                      /auth/me into authenticating and the handler; takes 1.5× as long)

Idle sockets (sockets):
  --sockets <n>       authenticated sockets to open (default 10000; the target is 10,000 under 1 GB)
  --batch <n>         sockets opened at once (default 500)
  --socket-users <n>  users logged in; the sockets are spread over them (default 50)
  --hold <s>          seconds to hold all sockets idle before the last samples (default 30: one
                      socket.io heartbeat, a ping to every socket every 25 s)

Chat latency (latency):
  --chat-clients <n>  clients chatting at once, one user and socket each (default 200)
  --chat-duration <s> seconds measured (default 12)
  --chat-warmup <s>   seconds of chatting before measuring (default 3)
  --chat-words <n>    words per message = deltas per reply of the echo app (default 10)
  --chat-baseline <s> then seconds of one client chatting alone: the latency without a queue
                      (default 3; 0 to skip)
  --chat-rounds <n>   loaded rounds, each measures Parlor and the bare socket.io server with the same
                      clients, the order alternating (default 2)

File downloads (files):
  --file-size <size>  the file downloaded, e.g. 1G, 256M, 4G (default 1G); generated on the fly and
                      uploaded through POST /api/files, so it needs that much free disk in the temp dir
  --file-compare-size <size>
                      a smaller file measured the same way first, to show the server's memory does
                      not grow with the size (default 64M; 0 to skip)
  --file-rounds <n>   sequential rounds per file, each downloads it once by each route, the order
                      alternating (default 2)
  --file-concurrency <n>
                      downloads at once in the concurrent rounds (default 4; 1 to skip them)
  --file-concurrent-rounds <n>
                      concurrent rounds per file (default 1)
  --file-pause <s>    seconds a client holds a download of the big file paused, per route: the
                      backpressure check (default 1; 0 to skip)
  --file-header-requests <n>
                      Range: bytes=0-0 requests per route and file: time to headers (default 100)
  --file-static-64k   also measure @fastify/static reading 64 KiB at a time like Parlor (on Node 20
                      it reads 16 KiB by default); a third route in every round

Two nodes (cluster): PostgreSQL from PARLOR_BENCH_PG_URL (default ${DEFAULT_PG_URL}; a schema of
its own, dropped afterwards), Redis from PARLOR_BENCH_REDIS_URL (default ${DEFAULT_REDIS_URL}; a
prefix of its own, its keys deleted afterwards). Uses --duration, --warmup, --connections,
--chat-clients, --chat-duration, --chat-warmup and --chat-words too.
  --revocations <n>   sessions logged out on node A while node B is polled (default 200)
  --cluster-rounds <n>
                      alternating rounds of 1 node and 2 nodes, for /auth/me and chat (default 4)`;

async function main(): Promise<boolean> {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string", default: "10" },
      duration: { type: "string", default: "2" },
      warmup: { type: "string", default: "2" },
      connections: { type: "string", default: "50" },
      pipelining: { type: "string", default: "1" },
      only: { type: "string" },
      breakdown: { type: "boolean", default: false },
      sockets: { type: "string", default: String(IDLE_SOCKETS_TARGET.sockets) },
      batch: { type: "string", default: "500" },
      "socket-users": { type: "string", default: "50" },
      hold: { type: "string", default: "30" },
      "chat-clients": { type: "string", default: "200" },
      "chat-duration": { type: "string", default: "12" },
      "chat-warmup": { type: "string", default: "3" },
      "chat-words": { type: "string", default: "10" },
      "chat-baseline": { type: "string", default: "3" },
      "chat-rounds": { type: "string", default: "2" },
      "no-pin": { type: "boolean", default: false },
      cluster: { type: "boolean", default: false },
      revocations: { type: "string", default: "200" },
      "cluster-rounds": { type: "string", default: "4" },
      "file-size": { type: "string", default: "1G" },
      "file-compare-size": { type: "string", default: "64M" },
      "file-rounds": { type: "string", default: "2" },
      "file-concurrency": { type: "string", default: "4" },
      "file-concurrent-rounds": { type: "string", default: "1" },
      "file-pause": { type: "string", default: "1" },
      "file-header-requests": { type: "string", default: "100" },
      "file-static-64k": { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      "profile-dir": { type: "string" },
      help: { type: "boolean", default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return true;
  }

  let benchmarks: BenchmarkName[] = [...DEFAULT_BENCHMARKS];
  let onlyRoute: RouteName | undefined;
  if (values.cluster) {
    if (values.only !== undefined && values.only !== "cluster") throw new Error(`--cluster is --only cluster; got --only "${values.only}" too`);
    benchmarks = ["cluster"];
  } else if (values.only !== undefined) {
    if (Object.hasOwn(ROUTES, values.only)) {
      benchmarks = ["auth"];
      onlyRoute = values.only as RouteName;
    } else {
      const names = values.only
        .split(",")
        .map((name) => name.trim())
        .filter((name) => name !== "");
      const unknown = names.filter((name) => !(BENCHMARKS as readonly string[]).includes(name));
      if (unknown.length > 0 || names.length === 0) {
        throw new Error(
          `--only takes benchmarks (${BENCHMARKS.join(", ")}, comma-separated) or one route (${Object.keys(ROUTES).join(", ")}); got "${values.only}"`,
        );
      }
      benchmarks = BENCHMARKS.filter((name) => names.includes(name));
    }
  }
  const profileDir = values["profile-dir"] ?? (values.profile ? mkdtempSync(join(tmpdir(), "parlor-bench-profile-")) : undefined);
  const log = (line: string) => console.log(`  ${line}`);

  const load = () =>
    loadavg()
      .map((n) => n.toFixed(2))
      .join(" ");
  const loadBefore = load();
  console.log(`
machine: ${cpus().length} cores, load average ${loadBefore} (1, 5, 15 min)`);

  const summary: string[] = [];
  let ok = true;
  const attempt = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      ok = false;
      const message = error instanceof Error ? error.message : String(error);
      console.error(`
${name} failed: ${message}`);
      summary.push(`${name}: FAILED (${message.split("\n")[0]})`);
      return undefined;
    }
  };

  if (benchmarks.includes("auth")) {
    const options = {
      rounds: positiveInt(values.rounds, "rounds"),
      duration: positiveInt(values.duration, "duration"),
      warmup: nonNegativeInt(values.warmup, "warmup"),
      connections: positiveInt(values.connections, "connections"),
      pipelining: positiveInt(values.pipelining, "pipelining"),
      only: onlyRoute,
      breakdown: values.breakdown,
      cpuProfileDir: profileDir,
      pin: !values["no-pin"],
      log,
    };
    console.log(
      `
auth fast path benchmark: ${options.rounds} round(s) × ${options.duration} s per route, ` +
        `${options.connections} connections, pipelining ${options.pipelining}`,
    );
    const result = await attempt("auth fast path", () => benchAuthFastPath(options));
    if (result) summary.push(printAuthSummary(result));
  }

  if (benchmarks.includes("sockets")) {
    const options = {
      sockets: positiveInt(values.sockets, "sockets"),
      batch: positiveInt(values.batch, "batch"),
      users: positiveInt(values["socket-users"], "socket-users"),
      hold: nonNegativeInt(values.hold, "hold"),
      cpuProfileDir: profileDir,
      log,
    };
    console.log(
      `
idle sockets benchmark: ${fmtInt(options.sockets)} sockets over ${options.users} users, ` + `${options.batch} at a time, held ${options.hold} s`,
    );
    const result = await attempt("idle sockets", () => benchIdleSockets(options));
    if (result) {
      summary.push(printSocketsSummary(result));
      if (result.problems.length > 0) ok = false;
    }
  }

  if (benchmarks.includes("latency")) {
    const options = {
      clients: positiveInt(values["chat-clients"], "chat-clients"),
      duration: positiveInt(values["chat-duration"], "chat-duration"),
      warmup: nonNegativeInt(values["chat-warmup"], "chat-warmup"),
      words: positiveInt(values["chat-words"], "chat-words"),
      baseline: nonNegativeInt(values["chat-baseline"], "chat-baseline"),
      rounds: positiveInt(values["chat-rounds"], "chat-rounds"),
      cpuProfileDir: profileDir,
      pin: !values["no-pin"],
      log,
    };
    console.log(
      `
chat latency benchmark: ${options.clients} clients chatting with the echo app, ${options.words} words per message, ` +
        `${options.warmup} s warm-up + ${options.duration} s measured` +
        (options.baseline > 0 ? `, then 1 client alone for ${options.baseline} s` : ""),
    );
    const result = await attempt("chat latency", () => benchChatLatency(options));
    if (result) {
      summary.push(printLatencySummary(result));
      if (result.errorCount > 0 || result.problems.length > 0) ok = false;
    }
  }

  if (benchmarks.includes("files")) {
    const fileSize = parseSize(values["file-size"], "file-size");
    if (fileSize < 1) throw new Error("--file-size must be at least 1 byte");
    const options = {
      fileSize,
      compareSize: parseSize(values["file-compare-size"], "file-compare-size"),
      rounds: positiveInt(values["file-rounds"], "file-rounds"),
      concurrency: positiveInt(values["file-concurrency"], "file-concurrency"),
      concurrentRounds: positiveInt(values["file-concurrent-rounds"], "file-concurrent-rounds"),
      pause: nonNegativeInt(values["file-pause"], "file-pause"),
      headerRequests: nonNegativeInt(values["file-header-requests"], "file-header-requests"),
      tunedStatic: values["file-static-64k"],
      cpuProfileDir: profileDir,
      log,
    };
    console.log(
      `
file download benchmark: ${fmtSize(options.fileSize)}` +
        (options.compareSize > 0 && options.compareSize !== options.fileSize ? ` (and ${fmtSize(options.compareSize)} first)` : "") +
        `, GET /api/files/:id vs @fastify/static, ${options.rounds} sequential round(s)` +
        (options.concurrency > 1 ? ` + ${options.concurrentRounds} round(s) of ${options.concurrency} at once` : ""),
    );
    const result = await attempt("file downloads", () => benchFiles(options));
    if (result) {
      summary.push(printFilesSummary(result));
      if (result.problems.length > 0) ok = false;
    }
  }

  if (benchmarks.includes("cluster")) {
    const options = {
      databaseUrl: process.env.PARLOR_BENCH_PG_URL ?? DEFAULT_PG_URL,
      redisUrl: process.env.PARLOR_BENCH_REDIS_URL ?? DEFAULT_REDIS_URL,
      revocations: positiveInt(values.revocations, "revocations"),
      rounds: positiveInt(values["cluster-rounds"], "cluster-rounds"),
      duration: positiveInt(values.duration, "duration"),
      warmup: nonNegativeInt(values.warmup, "warmup"),
      connections: positiveInt(values.connections, "connections"),
      chatClients: positiveInt(values["chat-clients"], "chat-clients"),
      chatDuration: positiveInt(values["chat-duration"], "chat-duration"),
      chatWarmup: nonNegativeInt(values["chat-warmup"], "chat-warmup"),
      chatWords: positiveInt(values["chat-words"], "chat-words"),
      cpuProfileDir: profileDir,
      pin: !values["no-pin"],
      log,
    };
    console.log(
      `
cluster benchmark: 2 nodes on PostgreSQL + Redis; ${options.revocations} revocations, then ${options.rounds} alternating round(s) of ` +
        `1 node vs 2 nodes: /auth/me ${options.duration} s with ${options.connections} connections, chat ${options.chatWarmup} + ${options.chatDuration} s ` +
        `with ${options.chatClients} clients`,
    );
    const result = await attempt("cluster", () => benchCluster(options));
    if (result) {
      summary.push(printClusterSummary(result));
      if (result.problems.length > 0 || Object.keys(result.chatErrors).length > 0) ok = false;
    }
  }

  if (profileDir)
    console.log(`
CPU profile(s) of the server: ${profileDir} (summarize: node --import tsx bench/profile-summary.ts <file>)`);
  console.log(`
summary (load average before ${loadBefore}, after ${load()}; ${cpus().length} cores)`);
  for (const line of summary) console.log(`  ${line}`);
  return ok;
}

/** Prints the auth benchmark's tables; returns its line for the final summary. */
function printAuthSummary(result: AuthFastPathResult): string {
  const rows: string[][] = [["round", "route", "req/s", "p50 ms", "p99 ms", "server CPU", "CPU µs/req", "client CPU", "SQL"]];
  for (const m of result.measurements) {
    rows.push([
      String(m.round),
      ROUTES[m.route].label,
      fmtInt(m.rps),
      String(m.latencyP50),
      String(m.latencyP99),
      fmtPct(m.serverCpu),
      m.cpuPerRequestUs.toFixed(1),
      fmtPct(m.clientCpu),
      String(m.dbStatements),
    ]);
  }
  console.log(`\n${table(rows)}`);

  if (result.ratios.length > 0) {
    const breakdown = result.medianAuthRpsRatio !== null;
    const x = (value: number | null | undefined) => (value == null ? "" : `${value.toFixed(3)}×`);
    const ratioRows = [
      [
        "round",
        "me/fastify req/s",
        "fastify/me CPU per req",
        "healthz/fastify req/s",
        "fastify/healthz CPU per req",
        "me/bare req/s",
        "bare/me CPU per req",
        ...(breakdown ? ["bare+cookie/bare req/s", "bare/bare+cookie CPU per req"] : []),
      ],
    ];
    for (const r of result.ratios) {
      ratioRows.push([
        String(r.round),
        x(r.meVsFastify),
        x(r.meVsFastifyCpu),
        x(r.healthzVsFastify),
        x(r.healthzVsFastifyCpu),
        x(r.rpsRatio),
        x(r.cpuRatio),
        ...(breakdown ? [x(r.authRpsRatio), x(r.authCpuRatio)] : []),
      ]);
    }
    ratioRows.push([
      "median",
      x(result.medianMeVsFastify),
      x(result.medianMeVsFastifyCpu),
      x(result.medianHealthzVsFastify),
      x(result.medianHealthzVsFastifyCpu),
      x(result.medianRpsRatio),
      x(result.medianCpuRatio),
      ...(breakdown ? [x(result.medianAuthRpsRatio), x(result.medianAuthCpuRatio)] : []),
    ]);
    console.log(`\n${table(ratioRows, 1)}`);
    console.log(
      `  best of the rounds (highest req/s, lowest CPU/req per route): me/bare ${x(result.bestRpsRatio)} req/s, ` + `${x(result.bestCpuRatio)} CPU per request`,
    );
  }

  console.log(
    `\n${result.pinned ? "pinned with taskset: servers on core 0, autocannon on the other core(s)" : "not pinned"}; ` +
      `the bare Fastify route answers the ${result.bodyBytes}-byte JSON of /auth/me`,
  );
  console.log(
    `database: ${result.loginDbStatements} SQL statements for login and the route checks, ` +
      `${result.measuredDbStatements} while the routes were measured (fast path: no database)`,
  );
  const unsaturated = result.measurements.filter((m) => m.serverCpu < SATURATED_CPU);
  if (unsaturated.length > 0) {
    const clientBound = unsaturated.filter((m) => m.clientCpu >= SATURATED_CPU).length;
    console.log(
      `note: the server used less than ${fmtPct(SATURATED_CPU)} of a core in ${unsaturated.length} of ${result.measurements.length} measurements ` +
        (clientBound === unsaturated.length
          ? "because the load generator was the limit"
          : clientBound > 0
            ? `(the load generator was the limit in ${clientBound}; other processes took the CPU in the rest)`
            : "while the load generator was not the limit either: other processes were taking the CPU") +
        ". The CPU-per-request ratios are the better estimate then; rerun on a quieter machine to be sure.",
    );
  }

  if (result.medianRpsRatio === null) {
    const only = result.measurements[0];
    return `auth fast path: ${only ? ROUTES[only.route].label : "one route"} only, no ratio`;
  }
  const ratio = result.medianRpsRatio;
  const vsFastify = result.medianMeVsFastify ?? Number.NaN;
  const line =
    `auth fast path: /auth/me ${vsFastify.toFixed(2)}× the req/s of a bare Fastify server (target ≥ ${FASTIFY_TARGET.toFixed(2)})` +
    (vsFastify >= FASTIFY_TARGET ? "" : "  ← below target") +
    `, /healthz ${(result.medianHealthzVsFastify ?? Number.NaN).toFixed(2)}×; ` +
    `${ratio.toFixed(2)}× of the bare route on the same server (target ≥ ${TARGET.toFixed(2)})` +
    (ratio >= TARGET ? "" : "  ← below target");
  console.log(`\n${line}`);
  return line;
}

/** Prints the idle sockets tables; returns its line for the final summary. */
function printSocketsSummary(r: IdleSocketsResult): string {
  const rows = [["sample", "sockets", "server RSS", "peak RSS", "JS heap", "external", "socket.io", "engine.io", "TCP", "client RSS"]];
  for (const c of r.checkpoints) {
    rows.push([
      c.label,
      fmtInt(c.sockets),
      fmtMB(c.server.rss),
      fmtMB(c.server.peakRss),
      fmtMB(c.server.heapUsed),
      fmtMB(c.server.external),
      fmtInt(c.server.namespaceSockets),
      fmtInt(c.server.engineClients),
      fmtInt(c.server.tcpConnections),
      fmtMB(c.clientRss),
    ]);
  }
  console.log(`\n${table(rows, 1)}`);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(
    `\n  connect: ${fmtInt(r.connected)} of ${fmtInt(r.requested)} in ${(r.connectMs / 1000).toFixed(1)} s ` +
      `(${fmtInt(r.connected / (r.connectMs / 1000))}/s); handshake p50 ${fmtMs(r.handshakeP50)} ms, p99 ${fmtMs(r.handshakeP99)} ms ` +
      `(a batch in flight); server CPU ${fmtInt(r.serverCpuPerHandshakeUs)} µs per handshake; ` +
      `CPU while connecting: server ${fmtPct(r.rampServerCpu)}, clients ${fmtPct(r.rampClientCpu)}`,
  );
  const dropped = Object.values(r.disconnects).reduce((a, b) => a + b, 0);
  console.log(
    `  held idle for ${r.hold} s: ${fmtInt(r.pingsDuringHold)} heartbeat pings received (and answered) by the clients, ` + `${fmtInt(dropped)} sockets dropped`,
  );
  console.log(
    `  memory per socket: ${kb(r.rssPerSocket)} RSS (0 → all connected), ${kb(r.heapPerSocket)} JS heap (full GC before both samples); ` +
      `peak server RSS ${fmtMB(r.peakRss)}`,
  );
  for (const problem of r.problems) console.log(`  error: ${problem}`);
  const limit = `${IDLE_SOCKETS_TARGET.rssBytes / 1024 ** 3} GB`;
  const verdict =
    r.requested < IDLE_SOCKETS_TARGET.sockets
      ? `(fewer than the target's ${fmtInt(IDLE_SOCKETS_TARGET.sockets)} sockets: target not tested)`
      : r.pass
        ? "pass"
        : "FAIL";
  const line =
    `idle sockets: ${fmtInt(r.connected)} of ${fmtInt(r.requested)} connected in ${(r.connectMs / 1000).toFixed(1)} s, ` +
    `peak server RSS ${fmtMB(r.peakRss)}, ${kb(r.rssPerSocket)} per socket ` +
    `(target ${fmtInt(IDLE_SOCKETS_TARGET.sockets)} under ${limit}): ${verdict}`;
  console.log(`\n${line}`);
  return line;
}

/** Prints the chat latency table; returns its line for the final summary. */
function printLatencySummary(r: ChatLatencyResult): string {
  const rows = [
    [
      "round",
      "server",
      "clients",
      "latency (ms)",
      "p50",
      "p90",
      "p99",
      "max",
      "messages",
      "msg/s",
      "server CPU",
      "loop busy",
      "µs/msg",
      "SQL/msg",
      "client CPU",
    ],
  ];
  const phases: Array<[string, string, PhaseResult]> = r.rounds.flatMap((round) => {
    const both: Array<[string, string, PhaseResult]> = [
      [String(round.round), "Parlor", round.parlor],
      [String(round.round), "bare socket.io", round.socketio],
    ];
    return round.round % 2 === 1 ? both : both.reverse();
  });
  if (r.baseline) phases.push(["alone", "Parlor", r.baseline]);
  for (const [round, server, phase] of phases) {
    for (const [label, s] of [
      ["send → ack", phase.ack],
      ["send → first message:delta", phase.firstDelta],
      ["send → message:end", phase.fullReply],
    ] as const) {
      const first = label === "send → ack";
      rows.push([
        first ? round : "",
        first ? server : "",
        first ? fmtInt(phase.clients) : "",
        label,
        fmtMs(s.p50),
        fmtMs(s.p90),
        fmtMs(s.p99),
        fmtMs(s.max),
        fmtInt(s.count),
        first ? fmtInt(phase.messagesPerSecond) : "",
        first ? fmtPct(phase.serverCpu) : "",
        first ? fmtPct(phase.serverLoopBusy) : "",
        first ? fmtInt(phase.serverCpuPerMessageUs) : "",
        first ? phase.sqlPerMessage.toFixed(1) : "",
        first ? fmtPct(phase.clientCpu) : "",
      ]);
    }
  }
  console.log(`\n${table(rows, 4)}`);
  const ratioRows = [["round", "Parlor msg/s", "socket.io msg/s", "Parlor/socket.io msg/s", "socket.io/Parlor CPU per msg", "Parlor SQL/msg"]];
  for (const round of r.rounds) {
    ratioRows.push([
      String(round.round),
      fmtInt(round.parlor.messagesPerSecond),
      fmtInt(round.socketio.messagesPerSecond),
      `${round.ratio.toFixed(3)}×`,
      `${(round.socketio.serverCpuPerMessageUs / round.parlor.serverCpuPerMessageUs).toFixed(3)}×`,
      round.parlor.sqlPerMessage.toFixed(2),
    ]);
  }
  ratioRows.push(["median", "", "", `${r.medianRatio.toFixed(3)}×`, "", r.medianSqlPerMessage.toFixed(2)]);
  console.log(`\n${table(ratioRows, 1)}`);
  console.log(`  ${r.pinned ? "pinned with taskset: servers on core 0, the clients on the other core(s)" : "not pinned"}`);
  const errors = r.errorCount === 0 ? "0 errors" : `${r.errorCount} errors ${JSON.stringify(r.errors)}`;
  console.log(
    `\n  ${r.clients} clients, Parlor round 1: ${fmtInt(r.messages)} replies (${r.words} deltas each) in ${r.seconds.toFixed(1)} s = ` +
      `${fmtInt(r.messagesPerSecond)} messages/s; ${errors}`,
  );
  const busy = r.rounds.flatMap((round) => [round.parlor, round.socketio]).filter((p) => p.serverCpu < SATURATED_CPU && p.serverLoopBusy >= SATURATED_CPU);
  if (busy.length > 0) {
    console.log(
      `  note: in ${busy.length} loaded phase(s) a server's event loop was busy ≥ ${fmtPct(SATURATED_CPU)} of the time while it got less ` +
        "than that share of a core: it was waiting for a CPU that other processes had; read the ratios (measured back to back), not the absolute numbers",
    );
  }
  const clientBound = r.rounds.flatMap((round) => [round.parlor, round.socketio]).filter((p) => p.clientCpu >= SATURATED_CPU).length;
  if (clientBound > 0) console.log(`  note: the clients (this process) were the limit in ${clientBound} loaded phase(s): those messages/s are lower bounds`);
  for (const problem of r.problems) console.log(`  error: ${problem}`);
  const line =
    `chat: Parlor ${r.medianRatio.toFixed(2)}× the messages/s of a bare socket.io server (target ≥ ${SOCKETIO_TARGET.toFixed(2)})` +
    (r.medianRatio >= SOCKETIO_TARGET ? "" : "  ← below target") +
    `, ${r.medianSqlPerMessage.toFixed(2)} SQL statements per message (target ≤ ${SQL_PER_MESSAGE_TARGET})` +
    (r.medianSqlPerMessage <= SQL_PER_MESSAGE_TARGET ? "" : "  ← above target") +
    (r.baseline ? `, ${r.baseline.sqlPerMessage.toFixed(2)} with 1 client alone` : "") +
    `; send → first delta p50 ${fmtMs(r.firstDelta.p50)} ms, p99 ${fmtMs(r.firstDelta.p99)} ms with ${r.clients} clients` +
    (r.baseline ? ` (1 client alone: p50 ${fmtMs(r.baseline.firstDelta.p50)} ms, p99 ${fmtMs(r.baseline.firstDelta.p99)} ms)` : "") +
    `; ${errors}`;
  console.log(`\n${line}`);
  return line;
}

/** Prints the cluster tables; returns its line for the final summary. */
function printClusterSummary(r: ClusterResult): string {
  const rows = [
    ["round", "nodes", "/auth/me req/s", "p50 ms", "p99 ms", "node CPU", "chat msg/s", "first delta p50 ms", "p99 ms", "chat node CPU", "client CPU"],
  ];
  for (const m of r.auth) {
    const c = r.chat.find((q) => q.round === m.round && q.nodes === m.nodes)!.phase;
    rows.push([
      String(m.round),
      String(m.nodes),
      fmtInt(m.rps),
      String(m.latencyP50),
      String(m.latencyP99),
      m.nodeCpu.map(fmtPct).join(" + "),
      fmtInt(c.messagesPerSecond),
      fmtMs(c.firstDelta.p50),
      fmtMs(c.firstDelta.p99),
      fmtPct(c.serverCpu),
      fmtPct(c.clientCpu),
    ]);
  }
  console.log(`\n${table(rows)}`);
  const ratioRows = [["round", "2/1 nodes /auth/me req/s", "2/1 nodes chat msg/s"]];
  const rounds = [...new Set(r.auth.map((m) => m.round))];
  for (const round of rounds) {
    const of = <T extends { round: number; nodes: 1 | 2 }>(list: T[], nodes: 1 | 2) => list.find((m) => m.round === round && m.nodes === nodes)!;
    ratioRows.push([
      String(round),
      `${(of(r.auth, 2).rps / of(r.auth, 1).rps).toFixed(3)}×`,
      `${(of(r.chat, 2).phase.messagesPerSecond / of(r.chat, 1).phase.messagesPerSecond).toFixed(3)}×`,
    ]);
  }
  ratioRows.push(["median", `${r.authRatio.toFixed(3)}×`, `${r.chatRatio.toFixed(3)}×`]);
  console.log(`\n${table(ratioRows, 1)}`);
  console.log(`  ${r.pinned ? "pinned with taskset: both nodes on core 0, the load generator on the other core(s)" : "not pinned"}`);
  const errorCount = Object.values(r.chatErrors).reduce((a, b) => a + b, 0);
  const errors = errorCount === 0 ? "0 chat errors" : `${errorCount} chat errors ${JSON.stringify(r.chatErrors)}`;
  for (const problem of r.problems) console.log(`  error: ${problem}`);
  const v = r.revocation;
  const line =
    `cluster: revocation A → B p50 ${fmtMs(v.p50)} ms, p99 ${fmtMs(v.p99)} ms, max ${fmtMs(v.max)} ms over ${v.sessions} logouts; ` +
    `2 nodes ${r.authRatio.toFixed(2)}× the /auth/me req/s of 1 node, ${r.chatRatio.toFixed(2)}× its chat msg/s` +
    ` (${r.pinned ? "both nodes pinned to one core" : "not pinned"}); ${errors}`;
  console.log(`\n${line}`);
  return line;
}

/** Prints the file download tables; returns its line for the final summary. */
function printFilesSummary(r: FilesResult): string {
  const rows = [["file", "round", "route", "at once", "MB/s", "headers ms", "server CPU", "CPU ms/GB", "client CPU", "RSS start", "RSS peak"]];
  for (const run of r.runs) {
    for (const m of run.measurements) {
      rows.push([
        fmtSize(run.size),
        String(m.round),
        FILE_ROUTE_LABELS[m.route],
        String(m.concurrency),
        fmtInt(m.mbps),
        fmtMs(m.headersMs),
        fmtPct(m.serverCpu),
        fmtInt(m.serverCpuMsPerGiB),
        fmtPct(m.clientCpu),
        fmtMB(m.rssStart),
        fmtMB(m.rssPeak),
      ]);
    }
  }
  console.log(`\n${table(rows, 3)}`);

  const main = r.runs[r.runs.length - 1]!;
  const x = (value: number | undefined) => (value === undefined ? "–" : `${value.toFixed(3)}×`);
  const references = r.routes.filter((route) => route !== "parlor");
  const ratioRows = [["round", "at once", ...references.flatMap((ref) => [`parlor/${ref} MB/s`, `${ref}/parlor CPU per GB`])]];
  const keys = [...new Set(r.ratios.map((q) => `${q.concurrency}:${q.round}`))];
  for (const key of keys) {
    const [concurrency, round] = key.split(":").map(Number) as [number, number];
    const of = (ref: string) => r.ratios.find((q) => q.reference === ref && q.concurrency === concurrency && q.round === round);
    ratioRows.push([String(round), String(concurrency), ...references.flatMap((ref) => [x(of(ref)?.mbpsRatio), x(of(ref)?.cpuRatio)])]);
  }
  const medianOf = (ref: string, concurrency: number) => r.medians.find((q) => q.reference === ref && q.concurrency === concurrency);
  const concurrencies = [...new Set(r.medians.map((q) => q.concurrency))];
  for (const concurrency of concurrencies) {
    ratioRows.push([
      "median",
      String(concurrency),
      ...references.flatMap((ref) => [x(medianOf(ref, concurrency)?.mbpsRatio), x(medianOf(ref, concurrency)?.cpuRatio)]),
    ]);
  }
  console.log(`\n  ${fmtSize(main.size)} file, per round:\n${table(ratioRows, 2)}`);

  const headerRows = [["file", "route", "Range 0-0 p50 ms", "p99 ms", "requests"]];
  for (const run of r.runs) {
    for (const route of r.routes) {
      const h = run.headerLatency[route];
      if (h && h.n > 0) headerRows.push([fmtSize(run.size), FILE_ROUTE_LABELS[route], fmtMs(h.p50), fmtMs(h.p99), fmtInt(h.n)]);
    }
  }
  if (headerRows.length > 1) console.log(`\n${table(headerRows, 2)}`);

  const memoryRows = [["file", "upload MB/s", "upload CPU ms/GB", "RSS during upload", "RSS baseline (after GC)", "RSS peak while serving", "peak − baseline"]];
  for (const run of r.runs) {
    memoryRows.push([
      fmtSize(run.size),
      fmtInt(run.upload.mbps),
      fmtInt(run.upload.serverCpuMsPerGiB),
      `${fmtMB(run.upload.rssStart)} → ${fmtMB(run.upload.rssPeak)}`,
      fmtMB(run.baselineRss),
      fmtMB(run.peakRss),
      fmtMB(run.peakRss - run.baselineRss),
    ]);
  }
  console.log(`\n${table(memoryRows, 1)}`);
  console.log(`  (server RSS sampled every 50 ms from ${r.rssSource})`);
  const growth = (run: (typeof r.runs)[number]) => run.peakRss - run.baselineRss;
  let memoryVerdict = "";
  if (r.runs.length > 1) {
    const small = r.runs[0]!;
    // Both the growth over the baseline and the peak itself: the baseline (after a forced GC)
    // and the peak (GC timing, 4 streams at once) move by a few tens of MB from run to run on
    // their own; a server that buffered files would grow by a good part of the extra bytes.
    const extra = Math.min(growth(main) - growth(small), main.peakRss - small.peakRss);
    const grows = extra >= Math.max(64 * 1024 ** 2, (main.size - small.size) * 0.25);
    memoryVerdict =
      `${grows ? "GROWS" : "does not grow"} with the file size ` +
      `(${fmtSize(small.size)}: +${fmtMB(growth(small))}, peak ${fmtMB(small.peakRss)}; ${fmtSize(main.size)}: +${fmtMB(growth(main))}, peak ${fmtMB(main.peakRss)})`;
    console.log(`  memory: peak − baseline ${memoryVerdict}`);
  }
  for (const check of main.paused) {
    console.log(
      `  paused client, ${FILE_ROUTE_LABELS[check.route]}: RSS ${fmtMB(check.rssAtPause)} → ${fmtMB(check.rssPeakDuringPause)} ` +
        `over ${(check.pausedMs / 1000).toFixed(1)} s, server CPU ${fmtPct(check.serverCpuDuringPause)}` +
        (check.fdsLeftOpen === null ? "" : `; descriptors on the file left open after hang-up: ${check.fdsLeftOpen}`),
    );
  }
  const first = r.runs[0]!;
  const ph = first.headers.parlor;
  const sh = first.headers.static;
  if (ph && sh) {
    const only = (a: object, b: object) =>
      Object.keys(a)
        .filter((k) => !(k in b))
        .sort()
        .join(", ") || "none";
    console.log(`  headers only Parlor sends: ${only(ph, sh)}; only @fastify/static: ${only(sh, ph)}`);
  }
  if (r.staticReadSize !== 64 * 1024) {
    console.log(
      `  note: @fastify/static reads the file ${r.staticReadSize / 1024} KiB at a time on this Node (@fastify/send passes highWaterMark: null ` +
        `to fs.createReadStream: the generic stream default), Parlor 64 KiB` +
        (r.routes.includes("static64k")
          ? "; the 64K route is @fastify/static with 64 KiB reads"
          : "; --file-static-64k adds @fastify/static with 64 KiB reads"),
    );
  }
  const all = r.runs.flatMap((run) => run.measurements);
  const clientBound = all.filter((m) => m.clientCpu >= SATURATED_CPU).length;
  if (clientBound > 0) {
    console.log(
      `  note: the client (this process) used ≥ ${fmtPct(SATURATED_CPU)} of a core in ${clientBound} of ${all.length} measurements: ` +
        "there it was the limit, and MB/s says little about the server; the CPU-per-GB ratio is the better estimate",
    );
  }
  for (const note of r.notes) console.log(`  note: ${note}`);
  for (const problem of r.problems) console.log(`  error: ${problem}`);

  const medianMbps = (route: string) => median(main.measurements.filter((m) => m.concurrency === 1 && m.route === route).map((m) => m.mbps));
  const concurrent = concurrencies.find((c) => c > 1);
  const vs = (ref: string) =>
    `${x(medianOf(ref, 1)?.mbpsRatio)} the MB/s of ${FILE_ROUTE_LABELS[ref as keyof typeof FILE_ROUTE_LABELS]}` +
    (concurrent ? ` (${x(medianOf(ref, concurrent)?.mbpsRatio)} with ${concurrent} at once)` : "") +
    `, ${x(medianOf(ref, 1)?.cpuRatio)} its CPU efficiency`;
  const line =
    `file downloads (${fmtSize(main.size)}, ${Math.round(r.seconds)} s): Parlor ${fmtInt(medianMbps("parlor"))} MB/s, ` +
    `@fastify/static ${fmtInt(medianMbps("static"))} MB/s: ${references.map(vs).join(", ")}; ` +
    `server RSS peak ${fmtMB(main.peakRss)}, +${fmtMB(growth(main))} over baseline` +
    (memoryVerdict ? `, ${memoryVerdict.split(" (")[0]}` : "") +
    (r.problems.length > 0 ? `; ${r.problems.length} error(s)` : "");
  console.log(`\n${line}`);
  return line;
}

function positiveInt(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number, got "${value}"`);
  return n;
}

function nonNegativeInt(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number ≥ 0, got "${value}"`);
  return n;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    console.error(`\nbench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
