/**
 * Benchmark: how many idle, authenticated socket.io connections one server process holds, and
 * what they cost in memory. Issue "Chat runtime": 10,000 idle sockets under 1 GB RSS.
 *
 * The server runs in a child process (bench/server-process.ts) and reports its own memory and
 * socket counts over IPC; the clients (socket.io-client over websocket, like a browser) run
 * here. A handful of users log in; their sockets are opened in batches. See bench/README.md.
 */
import type { ClientToServerEvents, ServerToClientEvents } from "@parlor/protocol";
import { performance } from "node:perf_hooks";
import { io, type Socket } from "socket.io-client";
import type { RealtimeStats } from "./protocol.js";
import { logIn, openFileLimit, withServerProcess, type Login, type ServerProcess } from "./server-control.js";
import { fmtInt, fmtMB, percentile, sleep } from "./util.js";

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The target. */
export const IDLE_SOCKETS_TARGET = { sockets: 10_000, rssBytes: 1024 ** 3 } as const;

export interface IdleSocketsOptions {
  /** Sockets to open in all. */
  sockets: number;
  /** Sockets opened at once; the next batch starts when the last one has settled. */
  batch: number;
  /** Users logged in; the sockets are spread over them round-robin. */
  users: number;
  /**
   * Seconds to hold every socket open, idle, once all are connected, before the last samples.
   * 30 s covers one socket.io heartbeat (a ping to every socket every 25 s).
   */
  hold: number;
  cpuProfileDir?: string | undefined;
  log: (line: string) => void;
}

export interface Checkpoint {
  label: string;
  /** Sockets this process saw connect (and not disconnect). */
  sockets: number;
  server: RealtimeStats;
  /** RSS of this process (the clients), bytes. */
  clientRss: number;
}

export interface IdleSocketsResult {
  requested: number;
  connected: number;
  failed: number;
  /** connect_error messages (or codes) with their counts. */
  failures: Record<string, number>;
  /** Sockets that disconnected after connecting, by reason. */
  disconnects: Record<string, number>;
  /** Wall time from the first `io()` to the last `connect`, the pauses for samples left out, ms. */
  connectMs: number;
  /** Seconds the sockets were held idle. */
  hold: number;
  /** Heartbeat pings the clients received (and answered) while holding. */
  pingsDuringHold: number;
  /** Time from `io()` to `connect` per socket (with `batch` handshakes in flight), ms. */
  handshakeP50: number;
  handshakeP99: number;
  /** Server CPU time during the ramp-up divided by the sockets connected, µs. */
  serverCpuPerHandshakeUs: number;
  /** Share of a core the server / this process used while sockets were being opened. */
  rampServerCpu: number;
  rampClientCpu: number;
  /** Samples at 0 (after a forced GC), ¼, ½ and all of the sockets, then after `hold`, then after a forced GC. */
  checkpoints: Checkpoint[];
  /** (RSS right after the last socket connected − RSS with none) ÷ sockets connected, bytes. */
  rssPerSocket: number;
  /** The same for the JS heap, both samples taken right after a full GC. */
  heapPerSocket: number;
  /** Highest RSS the child's sampler saw during the whole run, bytes. */
  peakRss: number;
  /**
   * Every socket connected, the server counted all of them, none dropped, peak RSS under 1 GB.
   * Says nothing about the target when fewer than 10,000 sockets were requested.
   */
  pass: boolean;
  /** Things that make the measurement itself wrong (sockets missing, counts disagreeing). */
  problems: string[];
}

export async function benchIdleSockets(options: IdleSocketsOptions): Promise<IdleSocketsResult> {
  const limit = openFileLimit();
  // Each process holds one descriptor per socket, plus a few dozen of its own.
  if (limit !== null && limit < options.sockets + 200) {
    throw new Error(
      `The open-file limit is ${limit}, too low for ${options.sockets} sockets (each of the two processes needs one file ` +
        `descriptor per socket, plus ~200). Raise the hard limit (Node raises its soft limit to it by itself), ` +
        `e.g. as root: ulimit -Hn ${Math.ceil((options.sockets + 1000) / 1000) * 1000}, or run with fewer --sockets.`,
    );
  }
  return withServerProcess({ cpuProfileDir: options.cpuProfileDir }, (server, password) => runAgainst(server, password, options));
}

const toStats = (usage: NodeJS.CpuUsage) => ({ cpuUser: usage.user, cpuSystem: usage.system });

async function runAgainst(server: ServerProcess, password: string, options: IdleSocketsOptions): Promise<IdleSocketsResult> {
  const { log } = options;
  const base = `http://127.0.0.1:${server.port}`;
  log(`server: child pid ${server.pid}, ${base}; open-file limit ${openFileLimit() ?? "unknown"}`);

  const logins: Login[] = [];
  for (let i = 0; i < options.users; i++) logins.push(await logIn(base, server.cookieName, `idle-${i}`, password));
  log(`${logins.length} users logged in`);

  const sockets: ClientSocket[] = [];
  const failures: Record<string, number> = {};
  const disconnects: Record<string, number> = {};
  const handshakeMs: number[] = [];
  let connectEvents = 0;
  let disconnectEvents = 0;
  /** socket.io heartbeats: the server pings each socket every 25 s; the client answers. */
  let pings = 0;

  const open = (login: Login) =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const socket: ClientSocket = io(base, {
        transports: ["websocket"],
        extraHeaders: { cookie: login.cookie, origin: base },
        auth: { csrfToken: login.csrfToken },
        reconnection: false,
        forceNew: true,
        timeout: 30_000,
      });
      socket.once("connect", () => {
        connectEvents++;
        handshakeMs.push(performance.now() - started);
        sockets.push(socket);
        socket.io.on("ping", () => pings++);
        socket.once("disconnect", (reason) => {
          disconnectEvents++;
          disconnects[reason] = (disconnects[reason] ?? 0) + 1;
        });
        resolve();
      });
      socket.once("connect_error", (error: Error & { data?: { code?: string } }) => {
        const key = error.data?.code ?? error.message;
        failures[key] = (failures[key] ?? 0) + 1;
        socket.close();
        resolve();
      });
    });

  /** Samples the server once it has counted every socket this side saw connect (or after 5 s). */
  const sample = async (label: string, gc = false): Promise<Checkpoint> => {
    const expected = connectEvents - disconnectEvents;
    let stats = await server.realtime();
    for (let tries = 0; stats.namespaceSockets !== expected && tries < 50; tries++) {
      await sleep(100);
      stats = await server.realtime();
    }
    if (gc) stats = await server.realtime({ gc: true });
    const checkpoint = { label, sockets: expected, server: stats, clientRss: process.memoryUsage.rss() };
    log(
      `${label.padEnd(22)} ${fmtInt(expected).padStart(6)} sockets: server RSS ${fmtMB(stats.rss).padStart(9)}, ` +
        `heap ${fmtMB(stats.heapUsed).padStart(8)}, socket.io ${fmtInt(stats.namespaceSockets)} sockets / ` +
        `${fmtInt(stats.engineClients)} engine.io clients / ${fmtInt(stats.tcpConnections)} TCP; client RSS ${fmtMB(checkpoint.clientRss)}`,
    );
    return checkpoint;
  };

  // A first collection, so the baseline is not start-up garbage, then the reference samples.
  await server.realtime({ gc: true, resetPeak: true });
  const baseline = await sample("0 sockets (after GC)", true);
  const checkpoints: Checkpoint[] = [baseline];

  const marks = [...new Set([Math.round(options.sockets / 4), Math.round(options.sockets / 2), options.sockets])].filter((m) => m > 0);
  const cpuOf = (s: { cpuUser: number; cpuSystem: number }) => s.cpuUser + s.cpuSystem;
  let opened = 0;
  // Server CPU while sockets were being opened; the sampling pauses are left out.
  let rampCpuUs = 0;
  let segmentStart = await server.stats();
  let rampWallMs = 0;
  let rampClientCpuUs = 0;
  for (const mark of marks) {
    const segmentWall = performance.now();
    const segmentClientCpu = process.cpuUsage();
    while (opened < mark) {
      const size = Math.min(options.batch, mark - opened);
      const batch: Array<Promise<void>> = [];
      for (let i = 0; i < size; i++) batch.push(open(logins[(opened + i) % logins.length]!));
      opened += size;
      await Promise.all(batch);
    }
    rampWallMs += performance.now() - segmentWall;
    rampClientCpuUs += cpuOf(toStats(process.cpuUsage(segmentClientCpu)));
    rampCpuUs += cpuOf(await server.stats()) - cpuOf(segmentStart);
    checkpoints.push(await sample(`${fmtInt(mark)} opened`));
    segmentStart = await server.stats();
  }
  const allOpened = checkpoints[checkpoints.length - 1]!;
  const connectMs = rampWallMs;
  const connected = connectEvents;
  log(`ramp-up: ${fmtInt(connected)} of ${fmtInt(options.sockets)} connected in ${(connectMs / 1000).toFixed(1)} s`);

  const pingsBeforeHold = pings;
  if (options.hold > 0) {
    log(`holding ${fmtInt(connected - disconnectEvents)} idle sockets for ${options.hold} s`);
    await sleep(options.hold * 1000);
  }
  const pingsDuringHold = pings - pingsBeforeHold;
  checkpoints.push(await sample(`after ${options.hold} s idle`));
  const afterGc = await sample("after a forced GC", true);
  checkpoints.push(afterGc);

  const stillConnected = sockets.filter((s) => s.connected).length;
  const final = afterGc.server;

  const problems: string[] = [];
  const failed = Object.values(failures).reduce((a, b) => a + b, 0);
  if (connected + failed !== options.sockets) problems.push(`${options.sockets - connected - failed} sockets neither connected nor failed`);
  if (failed > 0) problems.push(`${failed} sockets failed to connect: ${JSON.stringify(failures)}`);
  if (disconnectEvents > 0) problems.push(`${disconnectEvents} sockets disconnected while idle: ${JSON.stringify(disconnects)}`);
  if (stillConnected !== connected - disconnectEvents) problems.push(`${stillConnected} sockets report connected, expected ${connected - disconnectEvents}`);
  for (const c of checkpoints) {
    if (c.server.namespaceSockets !== c.sockets) {
      problems.push(`at "${c.label}" the server held ${c.server.namespaceSockets} authenticated sockets, the clients ${c.sockets}`);
    }
  }

  // Closing fires a `disconnect` on every socket: what dropped before is kept as it was.
  const droppedWhileOpen = { ...disconnects };
  // Close from this side, then let the server see it (it runs its disconnect handlers).
  for (const socket of sockets) socket.close();
  const closed = await server.realtime();
  log(`closed the clients; server still counts ${closed.namespaceSockets} sockets right after`);

  const base0 = baseline.server;
  const rssPerSocket = connected > 0 ? (allOpened.server.rss - checkpoints[0]!.server.rss) / connected : Number.NaN;
  const heapPerSocket = connected > 0 ? (final.heapUsed - base0.heapUsed) / connected : Number.NaN;
  const peakRss = Math.max(...checkpoints.map((c) => c.server.peakRss));
  const sortedHandshakes = [...handshakeMs].sort((a, b) => a - b);
  return {
    requested: options.sockets,
    connected,
    failed,
    failures,
    disconnects: droppedWhileOpen,
    connectMs,
    hold: options.hold,
    pingsDuringHold,
    handshakeP50: percentile(sortedHandshakes, 50),
    handshakeP99: percentile(sortedHandshakes, 99),
    serverCpuPerHandshakeUs: connected > 0 ? rampCpuUs / connected : Number.NaN,
    rampServerCpu: rampCpuUs / 1000 / rampWallMs,
    rampClientCpu: rampClientCpuUs / 1000 / rampWallMs,
    checkpoints,
    rssPerSocket,
    heapPerSocket,
    peakRss,
    pass: problems.length === 0 && peakRss < IDLE_SOCKETS_TARGET.rssBytes,
    problems,
  };
}
