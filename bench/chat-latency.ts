/**
 * Benchmark: latency from `message:send` to the first `message:delta` of the reply, with many
 * clients chatting at once. Issue "Chat runtime".
 *
 * The server (bench/server-process.ts, in a child process) runs the echo app: `onMessage`
 * streams the message back word by word, with no delay, so what is measured is Parlor's own
 * path (parse, store the user message, acknowledge, start the app, store the reply row,
 * `message:new`, first delta). Each client here has its own user and socket, sends a message,
 * waits for `message:end`, and sends the next one in the same thread. The same clients then
 * chat with a bare socket.io server in its own process (baseline-process.ts) that answers with
 * the same events and stores nothing, in alternating rounds: Parlor's messages/s is reported as
 * a ratio of it. See bench/README.md.
 */
import { performance } from "node:perf_hooks";
import { io } from "socket.io-client";
import type { ClientSocket } from "./idle-sockets.js";
import type { ServerStats } from "./protocol.js";
import { logIn, pinServerAndSelf, withBaselineProcess, withServerProcess, type Login, type ServerProcess } from "./server-control.js";
import { cpuShare, fmtInt, fmtMs, fmtPct, median, percentile, sleep } from "./util.js";

/**
 * The server's per-socket event limit (default 5 events/s, burst 10) is raised for this
 * benchmark: a client here sends its next message as soon as the previous reply ends, faster
 * than a person types, and `rate_limited` errors would end the measurement.
 */
export const BENCH_CHAT_LIMITS = { eventsPerSecond: 100_000, eventBurst: 100_000 };

export interface ChatLatencyOptions {
  clients: number;
  /** Seconds measured, after the warm-up. */
  duration: number;
  /** Seconds of chatting before measuring (first messages create threads, JIT warms up). */
  warmup: number;
  /** Seconds of one client chatting alone after the loaded phase (0 to skip). */
  baseline: number;
  /** Words per message: the echo app streams one delta per word. */
  words: number;
  /** Loaded rounds; each measures Parlor and the bare socket.io server, the order alternating. */
  rounds: number;
  cpuProfileDir?: string | undefined;
  /** Pin the servers to one core and this process to the others with `taskset` (default true). */
  pin?: boolean | undefined;
  log: (line: string) => void;
}

export interface LatencyStats {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** One load level: `clients` chatting at once, measured for `seconds`. */
export interface PhaseResult {
  clients: number;
  /** Seconds of the measurement window. */
  seconds: number;
  /** Replies that ended (`message:end`) inside the window. */
  messages: number;
  messagesPerSecond: number;
  /** `message:send` → first `message:delta`, ms, for messages sent inside the window. */
  firstDelta: LatencyStats;
  /** `message:send` → its acknowledgement. */
  ack: LatencyStats;
  /** `message:send` → `message:end` (the whole reply). */
  fullReply: LatencyStats;
  /** Share of a core the server / this process used during the window. */
  serverCpu: number;
  /** Share of the window the server's event loop was running callbacks (see ServerStats). */
  serverLoopBusy: number;
  clientCpu: number;
  /** Server CPU per completed message, µs. */
  serverCpuPerMessageUs: number;
  /** SQL statements the server ran per completed message. */
  sqlPerMessage: number;
}

/** One loaded round: Parlor and the bare socket.io server with the same clients. */
export interface ChatRound {
  round: number;
  parlor: PhaseResult;
  socketio: PhaseResult;
  /** Parlor's messages/s ÷ the bare socket.io server's. */
  ratio: number;
}

/**
 * Parlor's first loaded phase (`clients` at once) at the top level, every loaded round in
 * `rounds`, the unloaded one in `baseline`.
 */
export interface ChatLatencyResult extends PhaseResult {
  rounds: ChatRound[];
  /** Median over the rounds of Parlor's messages/s ÷ the bare socket.io server's. */
  medianRatio: number;
  /** Median over the rounds of Parlor's SQL statements per message. */
  medianSqlPerMessage: number;
  pinned: boolean;
  words: number;
  /** One client alone, after the loaded phase: the latency with no queue in front of it. */
  baseline: PhaseResult | undefined;
  /** Error events and failures by code: `error` events, failed acks, timeouts, disconnects. */
  errors: Record<string, number>;
  errorCount: number;
  chatLimits: typeof BENCH_CHAT_LIMITS;
  /** Things that make the measurement wrong (wrong number of deltas, events for another thread…). */
  problems: string[];
}

/** A message with no reply by then counts as a `timeout` error, and the client goes on. */
const MESSAGE_TIMEOUT_MS = 10_000;

export async function benchChatLatency(options: ChatLatencyOptions): Promise<ChatLatencyResult> {
  return withServerProcess({ chatLimits: BENCH_CHAT_LIMITS, cpuProfileDir: options.cpuProfileDir }, (server, password) =>
    withBaselineProcess({ kind: "socketio" }, async (socketio) => {
      let unpin: (() => void) | null = null;
      if (options.pin !== false) {
        unpin = pinServerAndSelf(server.pid);
        if (unpin) unpin = pinServerAndSelf(socketio.pid) ?? unpin;
        options.log(unpin ? "pinned with taskset: the servers on core 0, the clients on the other core(s)" : "not pinned (taskset failed or one core)");
      }
      try {
        return { ...(await runAgainst(server, socketio, password, options)), pinned: unpin !== null };
      } finally {
        unpin?.();
      }
    }),
  );
}

/** One message in flight. */
interface Pending {
  sentAt: number;
  ackAt?: number;
  firstDeltaAt?: number;
  deltas: number;
  done: (outcome: "ended" | "failed") => void;
}

interface Sample {
  sentAt: number;
  endAt: number;
  ackMs: number;
  firstDeltaMs: number;
  fullMs: number;
}

async function runAgainst(
  server: ServerProcess,
  socketio: ServerProcess,
  password: string,
  options: ChatLatencyOptions,
): Promise<Omit<ChatLatencyResult, "pinned">> {
  const { log } = options;
  const base = `http://127.0.0.1:${server.port}`;
  log(`server: child pid ${server.pid}, ${base}; chat limits raised to ${JSON.stringify(BENCH_CHAT_LIMITS)}`);
  log(`bare socket.io server: child pid ${socketio.pid}, port ${socketio.port}`);

  const logins: Login[] = [];
  for (let i = 0; i < options.clients; i++) logins.push(await logIn(base, server.cookieName, `chat-${i}`, password));
  log(`${logins.length} users logged in, ${options.words} words per message`);

  const errors: Record<string, number> = {};
  const problems = new Set<string>();
  const run: RunContext = { nodes: [{ server, base }], words: options.words, errors, problems, log };
  const bare: RunContext = { ...run, nodes: [{ server: socketio, base: `http://127.0.0.1:${socketio.port}` }] };

  const rounds: ChatRound[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const phase = (context: RunContext, name: string) =>
      runPhase(context, logins, options.warmup, options.duration, `round ${round}, ${name}, ${options.clients} clients`);
    // Parlor first in odd rounds, the bare server first in even ones: drift favours neither.
    let parlor: PhaseResult;
    let bareResult: PhaseResult;
    if (round % 2 === 1) {
      parlor = await phase(run, "Parlor");
      bareResult = await phase(bare, "bare socket.io");
    } else {
      bareResult = await phase(bare, "bare socket.io");
      parlor = await phase(run, "Parlor");
    }
    rounds.push({ round, parlor, socketio: bareResult, ratio: parlor.messagesPerSecond / bareResult.messagesPerSecond });
  }
  const loaded = rounds[0]!.parlor;
  // After the loaded phase, so the server's code is warm (JIT) and only the queue is gone.
  let baseline: PhaseResult | undefined;
  if (options.baseline > 0) {
    baseline = await runPhase(run, logins.slice(0, 1), 1, options.baseline, "1 client alone");
  }

  const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
  return {
    ...loaded,
    rounds,
    medianRatio: median(rounds.map((r) => r.ratio)),
    medianSqlPerMessage: median(rounds.map((r) => r.parlor.sqlPerMessage)),
    words: options.words,
    baseline,
    errors,
    errorCount,
    chatLimits: BENCH_CHAT_LIMITS,
    problems: [...problems],
  };
}

/**
 * Where a phase's clients connect: client i to `nodes[i % nodes.length]`; the server figures
 * (CPU, event loop, SQL) are summed over the nodes (the cluster benchmark runs two).
 */
export interface RunContext {
  nodes: Array<{ server: ServerProcess; base: string }>;
  words: number;
  errors: Record<string, number>;
  problems: Set<string>;
  log: (line: string) => void;
}

/** Connects one socket per login, chats for warm-up + duration seconds, measures the second part. */
export async function runPhase(run: RunContext, logins: Login[], warmup: number, duration: number, label: string): Promise<PhaseResult> {
  const { nodes, errors, problems, log } = run;
  const countError = (code: string) => (errors[code] = (errors[code] ?? 0) + 1);
  const samples: Sample[] = [];

  const sockets = await Promise.all(
    logins.map(
      (login, i) =>
        new Promise<ClientSocket>((resolve, reject) => {
          const { base } = nodes[i % nodes.length]!;
          const socket: ClientSocket = io(base, {
            transports: ["websocket"],
            extraHeaders: { cookie: login.cookie, origin: base },
            auth: { csrfToken: login.csrfToken },
            reconnection: false,
            forceNew: true,
          });
          socket.once("connect", () => resolve(socket));
          socket.once("connect_error", (error) => {
            socket.close();
            reject(new Error(`a chat client could not connect: ${error.message}`));
          });
        }),
    ),
  );

  let stopSending = false;
  const words = (client: number, n: number) => {
    const head = [`client-${client}`, `message-${n}`];
    const filler = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dogs"];
    for (let i = 0; head.length < run.words; i++) head.push(filler[i % filler.length]!);
    return head.slice(0, run.words).join(" ");
  };

  const chat = async (socket: ClientSocket, client: number): Promise<void> => {
    let threadId: string | undefined;
    let pending: Pending | undefined;
    let disconnected = false;

    socket.on("message:delta", (event) => {
      if (!pending) return problems.add("a message:delta arrived while no message was in flight");
      if (threadId !== undefined && event.threadId !== threadId) return problems.add("a message:delta of another thread arrived");
      pending.firstDeltaAt ??= performance.now();
      pending.deltas++;
    });
    socket.on("message:end", (event) => {
      if (!pending) return problems.add("a message:end arrived while no message was in flight");
      if (threadId !== undefined && event.threadId !== threadId) return problems.add("a message:end of another thread arrived");
      if (event.status !== "complete") countError(`message:end ${event.status}`);
      pending.done(event.status === "complete" ? "ended" : "failed");
    });
    socket.on("error", (event) => {
      countError(event.code);
      pending?.done("failed");
    });
    socket.on("disconnect", (reason) => {
      disconnected = true;
      if (!stopSending) countError(`disconnect: ${reason}`);
      pending?.done("failed");
    });

    for (let n = 0; !stopSending && !disconnected; n++) {
      const outcome = await new Promise<"ended" | "failed" | "timeout">((resolve) => {
        const timer = setTimeout(() => finish("timeout"), MESSAGE_TIMEOUT_MS);
        const finish = (outcome: "ended" | "failed" | "timeout") => {
          clearTimeout(timer);
          resolve(outcome);
        };
        const current: Pending = { sentAt: performance.now(), deltas: 0, done: finish };
        pending = current;
        socket.emit("message:send", { ...(threadId ? { threadId } : {}), content: words(client, n) }, (ack) => {
          current.ackAt = performance.now();
          if (ack.ok) threadId = ack.threadId;
          // A failure also comes as an `error` event, which ends the message.
          else countError(`ack: ${ack.error.code}`);
        });
      });
      const done = pending!;
      pending = undefined;
      if (outcome === "timeout") countError("timeout");
      if (outcome !== "ended") {
        // A failed message: wait a little so a broken server is not hammered, then go on.
        await sleep(50);
        continue;
      }
      const endAt = performance.now();
      if (done.firstDeltaAt === undefined || done.ackAt === undefined) {
        problems.add("a reply ended without an acknowledgement or a delta before it");
        continue;
      }
      if (done.deltas !== run.words) problems.add(`a reply came in ${done.deltas} deltas, expected ${run.words}`);
      samples.push({
        sentAt: done.sentAt,
        endAt,
        ackMs: done.ackAt - done.sentAt,
        firstDeltaMs: done.firstDeltaAt - done.sentAt,
        fullMs: endAt - done.sentAt,
      });
    }
  };

  const loops = sockets.map((socket, i) => chat(socket, i));

  // Warm-up, then the window. The window's ends are this process's clock; the server's
  // counters are read right after each end (their answer may be delayed by a busy server, which
  // does not matter: the child timestamps its own snapshot).
  await sleep(warmup * 1000);
  const windowStart = performance.now();
  const clientBefore = process.cpuUsage();
  const serverBefore = nodesStats(nodes);
  await sleep(duration * 1000);
  const windowEnd = performance.now();
  const clientCpu = cpuShare(clientBefore, windowEnd - windowStart);
  const serverAfter: ServerStats = await nodesStats(nodes);
  const serverStart = await serverBefore;
  stopSending = true;
  await Promise.all(loops);
  for (const socket of sockets) socket.close();

  const seconds = (windowEnd - windowStart) / 1000;
  const sentInWindow = samples.filter((s) => s.sentAt >= windowStart && s.sentAt < windowEnd);
  const endedInWindow = samples.filter((s) => s.endAt >= windowStart && s.endAt < windowEnd).length;
  if (endedInWindow === 0) problems.add(`${label}: no reply ended inside the measurement window`);
  const serverCpuUs = serverAfter.cpuUser + serverAfter.cpuSystem - (serverStart.cpuUser + serverStart.cpuSystem);
  const serverWallUs = (serverAfter.wallNs - serverStart.wallNs) / 1000;
  const result: PhaseResult = {
    clients: logins.length,
    seconds,
    messages: endedInWindow,
    messagesPerSecond: endedInWindow / seconds,
    firstDelta: latencyStats(sentInWindow.map((s) => s.firstDeltaMs)),
    ack: latencyStats(sentInWindow.map((s) => s.ackMs)),
    fullReply: latencyStats(sentInWindow.map((s) => s.fullMs)),
    serverCpu: serverCpuUs / serverWallUs,
    serverLoopBusy:
      (serverAfter.eluActiveMs - serverStart.eluActiveMs) / (serverAfter.eluActiveMs - serverStart.eluActiveMs + serverAfter.eluIdleMs - serverStart.eluIdleMs),
    clientCpu,
    serverCpuPerMessageUs: endedInWindow > 0 ? serverCpuUs / endedInWindow : Number.NaN,
    sqlPerMessage: endedInWindow > 0 ? (serverAfter.dbStatements - serverStart.dbStatements) / endedInWindow : Number.NaN,
  };
  log(
    `${label}: ${fmtInt(result.messages)} replies in ${seconds.toFixed(1)} s (${fmtInt(result.messagesPerSecond)}/s), ` +
      `first delta p50 ${fmtMs(result.firstDelta.p50)} ms, p99 ${fmtMs(result.firstDelta.p99)} ms; ` +
      `server CPU ${fmtPct(result.serverCpu)} (event loop busy ${fmtPct(result.serverLoopBusy)}), client CPU ${fmtPct(result.clientCpu)}`,
  );
  return result;
}

/**
 * The nodes' counters added up; the wall clock is the first node's (they run on one machine).
 * With one node, its own figures: CPU as a share of one core; with two, of one core too, so up
 * to 200%.
 */
async function nodesStats(nodes: RunContext["nodes"]): Promise<ServerStats> {
  const all = await Promise.all(nodes.map((node) => node.server.stats()));
  return all.reduce((sum, s) => ({
    dbStatements: sum.dbStatements + s.dbStatements,
    cpuUser: sum.cpuUser + s.cpuUser,
    cpuSystem: sum.cpuSystem + s.cpuSystem,
    wallNs: sum.wallNs,
    eluActiveMs: sum.eluActiveMs + s.eluActiveMs,
    eluIdleMs: sum.eluIdleMs + s.eluIdleMs,
  }));
}

function latencyStats(values: number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}
