/**
 * Benchmark: two Parlor nodes of one app on PostgreSQL and Redis ("Several nodes" in
 * packages/server/README.md), on this machine.
 *
 * 1. Revocation propagation: a session logged in on node A and verified once on node B (so B
 *    answers it from its fast path, without the database), logged out on A; B is polled with
 *    `GET /auth/me` until it refuses the cookie. The time from the logout's answer to B's first
 *    401, over N sessions: p50, p99, max.
 * 2. Authenticated `GET /auth/me` req/s with the load split over both nodes vs all of it on node
 *    A, in alternating rounds of the same run (autocannon, as in auth-fast-path.ts): a ratio.
 * 3. Chat messages/s with the clients split over both nodes vs all on node A, alternating rounds
 *    (the chat benchmark's clients, chat-latency.ts): a ratio.
 *
 * Both nodes run all the time; "1 node" is node A alone taking the load, still with its Redis
 * adapter and revocation feed, so the ratio is what a second node adds, not cluster mode vs a
 * single SQLite server. Needs PostgreSQL (its own schema, dropped afterwards) and Redis (its own
 * prefix, whose keys are deleted afterwards). See bench/README.md, "Cluster".
 */
import autocannon from "autocannon";
import { Redis } from "ioredis";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateToLatest, openDatabase, resolveDatabaseConfig } from "parlor";
import pg from "pg";
import { assertClean } from "./auth-fast-path.js";
import { BENCH_CHAT_LIMITS, runPhase, type PhaseResult, type RunContext } from "./chat-latency.js";
import type { ClusterSettings } from "./protocol.js";
import { logIn, pinServerAndSelf, startServerProcess, type Login, type ServerProcess } from "./server-control.js";
import { fmtInt, fmtMs, fmtPct, median, percentile } from "./util.js";

export const DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/test";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export interface ClusterOptions {
  /** PARLOR_BENCH_PG_URL: a database the benchmark may create a schema in. */
  databaseUrl: string;
  /** PARLOR_BENCH_REDIS_URL. */
  redisUrl: string;
  /** Sessions logged out on A and polled on B. */
  revocations: number;
  /** Alternating rounds; each measures 1 node and 2 nodes, for /auth/me and for chat. */
  rounds: number;
  /** Seconds per /auth/me measurement, and of warm-up per setup (0 to skip). */
  duration: number;
  warmup: number;
  /** autocannon connections in all (split over the nodes with 2). */
  connections: number;
  /** Chat clients in all (split over the nodes with 2), seconds measured and of warm-up per phase. */
  chatClients: number;
  chatDuration: number;
  chatWarmup: number;
  chatWords: number;
  cpuProfileDir?: string | undefined;
  /** Pin both nodes to core 0 and this process to the others with `taskset` (default true). */
  pin?: boolean | undefined;
  log: (line: string) => void;
}

export interface RevocationResult {
  sessions: number;
  /** ms from the logout's answer on A to B's first 401. */
  p50: number;
  p99: number;
  max: number;
  /** `GET /auth/me` requests B answered 200 after the logout's answer, over all sessions. */
  staleAnswers: number;
}

export interface ClusterAuthMeasurement {
  round: number;
  nodes: 1 | 2;
  rps: number;
  latencyP50: number;
  latencyP99: number;
  /** Share of one core each node used (A, then B). */
  nodeCpu: number[];
}

export interface ClusterChatMeasurement {
  round: number;
  nodes: 1 | 2;
  phase: PhaseResult;
}

export interface ClusterResult {
  revocation: RevocationResult;
  auth: ClusterAuthMeasurement[];
  chat: ClusterChatMeasurement[];
  /** Median over the rounds of (2 nodes ÷ 1 node). */
  authRatio: number;
  chatRatio: number;
  pinned: boolean;
  chatErrors: Record<string, number>;
  problems: string[];
}

/** What is missing, in one message naming the URLs and the variables that set them. */
export class ClusterPrerequisiteError extends Error {
  readonly code = "cluster_prerequisite_missing";
}

export async function benchCluster(options: ClusterOptions): Promise<ClusterResult> {
  await checkPrerequisites(options);
  const schema = `parlor_bench_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const redisPrefix = `parlor-bench:${Date.now().toString(36)}-${randomBytes(4).toString("hex")}:`;
  const dataDir = mkdtempSync(join(tmpdir(), "parlor-bench-cluster-"));
  const admin = new pg.Client({ connectionString: options.databaseUrl });
  await admin.connect();
  const nodes: ServerProcess[] = [];
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(options.databaseUrl);
    url.searchParams.set("options", `-c search_path=${schema}`);
    const databaseUrl = url.toString();
    // Migrated here first, so the two nodes start together without racing to create the tables.
    const db = await openDatabase(resolveDatabaseConfig({ PARLOR_DATABASE_URL: databaseUrl }));
    await migrateToLatest(db).finally(() => db.destroy());

    // One public URL for both, as behind one load balancer: same cookie name. Any loopback
    // host is served outside production, and requests carry the node's own origin.
    const cluster: ClusterSettings = { databaseUrl, redisUrl: options.redisUrl, redisPrefix, publicUrl: "http://127.0.0.1" };
    const shared = {
      dataDir,
      authSecret: randomBytes(32).toString("base64url"),
      password: randomBytes(16).toString("base64url"),
      chatLimits: BENCH_CHAT_LIMITS,
      cpuProfileDir: options.cpuProfileDir,
      cluster,
    };
    const started = await Promise.allSettled([startServerProcess(shared), startServerProcess(shared)]);
    for (const s of started) if (s.status === "fulfilled") nodes.push(s.value);
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    options.log(`nodes: A pid ${a.pid} port ${a.port}, B pid ${b.pid} port ${b.port}; PostgreSQL schema ${schema}, Redis prefix ${redisPrefix}`);

    let unpin: (() => void) | null = null;
    if (options.pin !== false) {
      unpin = pinServerAndSelf(a.pid);
      if (unpin) unpin = pinServerAndSelf(b.pid) ?? unpin;
      options.log(unpin ? "pinned with taskset: both nodes on core 0, this process on the other core(s)" : "not pinned (taskset failed or one core)");
    }
    try {
      const result = await measure(a, b, shared.password, options);
      return { ...result, pinned: unpin !== null };
    } finally {
      unpin?.();
    }
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dataDir, { recursive: true, force: true });
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => admin.end());
    await deleteRedisKeys(options.redisUrl, redisPrefix);
  }
}

async function measure(a: ServerProcess, b: ServerProcess, password: string, options: ClusterOptions): Promise<Omit<ClusterResult, "pinned">> {
  const { log } = options;
  const baseA = `http://127.0.0.1:${a.port}`;
  const baseB = `http://127.0.0.1:${b.port}`;

  const revocation = await measureRevocation(a, b, password, options);
  log(
    `revocation: ${revocation.sessions} logouts on A, cookie refused on B after p50 ${fmtMs(revocation.p50)} ms, ` +
      `p99 ${fmtMs(revocation.p99)} ms, max ${fmtMs(revocation.max)} ms; ${revocation.staleAnswers} stale 200s`,
  );

  // /auth/me: one session, verified on both nodes before measuring (their caches are warm).
  const session = await logIn(baseA, a.cookieName, "cluster-me", password);
  for (const base of [baseA, baseB]) {
    const response = await fetch(`${base}/auth/me`, { headers: { cookie: session.cookie } });
    await response.text();
    if (response.status !== 200) throw new Error(`GET /auth/me on ${base} answered ${response.status} with the session of A`);
  }
  const one = [{ server: a, base: baseA }];
  const two = [
    { server: a, base: baseA },
    { server: b, base: baseB },
  ];
  if (options.warmup > 0) {
    log(`warm-up: /auth/me through 1 node, then 2 nodes, ${options.warmup} s each`);
    await measureAuth(one, session.cookie, options.connections, options.warmup, 0);
    await measureAuth(two, session.cookie, options.connections, options.warmup, 0);
  }

  const logins: Login[] = [];
  for (let i = 0; i < options.chatClients; i++) logins.push(await logIn(i % 2 === 0 ? baseA : baseB, a.cookieName, `cluster-chat-${i}`, password));
  const errors: Record<string, number> = {};
  const problems = new Set<string>();
  const chatContext = (nodes: RunContext["nodes"]): RunContext => ({ nodes, words: options.chatWords, errors, problems, log });

  const auth: ClusterAuthMeasurement[] = [];
  const chat: ClusterChatMeasurement[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    // 1 node first in odd rounds, 2 nodes first in even ones: drift favours neither.
    const order: Array<1 | 2> = round % 2 === 1 ? [1, 2] : [2, 1];
    for (const count of order) {
      const m = await measureAuth(count === 1 ? one : two, session.cookie, options.connections, options.duration, round);
      auth.push(m);
      log(
        `round ${round} /auth/me, ${count} node(s): ${fmtInt(m.rps).padStart(7)} req/s, p99 ${m.latencyP99} ms, ` +
          `node CPU ${m.nodeCpu.map(fmtPct).join(" + ")}`,
      );
    }
    for (const count of order) {
      const phase = await runPhase(
        chatContext(count === 1 ? one : two),
        logins,
        options.chatWarmup,
        options.chatDuration,
        `round ${round} chat, ${count} node(s), ${options.chatClients} clients`,
      );
      chat.push({ round, nodes: count, phase });
    }
  }

  const ratioOf = <T extends { round: number; nodes: 1 | 2 }>(list: T[], value: (m: T) => number) =>
    median(
      Array.from({ length: options.rounds }, (_, i) => {
        const of = (nodes: 1 | 2) => value(list.find((m) => m.round === i + 1 && m.nodes === nodes)!);
        return of(2) / of(1);
      }),
    );
  return {
    revocation,
    auth,
    chat,
    authRatio: ratioOf(auth, (m) => m.rps),
    chatRatio: ratioOf(chat, (m) => m.phase.messagesPerSecond),
    chatErrors: errors,
    problems: [...problems],
  };
}

/**
 * Logs in on A, verifies the cookie on B (B caches it), logs out on A, polls B until 401.
 * Sequential: one session at a time, so each number is one propagation, not a queue.
 */
async function measureRevocation(a: ServerProcess, b: ServerProcess, password: string, options: ClusterOptions): Promise<RevocationResult> {
  const baseA = `http://127.0.0.1:${a.port}`;
  const baseB = `http://127.0.0.1:${b.port}`;
  const delays: number[] = [];
  let staleAnswers = 0;
  for (let i = 0; i < options.revocations; i++) {
    const login = await logIn(baseA, a.cookieName, `cluster-revoke-${i}`, password);
    const before = await fetch(`${baseB}/auth/me`, { headers: { cookie: login.cookie } });
    await before.text();
    if (before.status !== 200) throw new Error(`GET /auth/me on B answered ${before.status} with a session of A before its logout`);
    const logout = await fetch(`${baseA}/auth/logout`, {
      method: "POST",
      headers: { cookie: login.cookie, origin: baseA, "x-csrf-token": login.csrfToken },
    });
    await logout.text();
    if (logout.status !== 204) throw new Error(`POST /auth/logout on A answered ${logout.status}`);
    const loggedOutAt = performance.now();
    for (;;) {
      const response = await fetch(`${baseB}/auth/me`, { headers: { cookie: login.cookie } });
      await response.text();
      if (response.status === 401) break;
      if (response.status !== 200) throw new Error(`GET /auth/me on B answered ${response.status} while waiting for the revocation`);
      staleAnswers++;
      if (performance.now() - loggedOutAt > 10_000) throw new Error("node B still accepted a cookie 10 s after its logout on A");
    }
    delays.push(performance.now() - loggedOutAt);
  }
  const sorted = [...delays].sort((x, y) => x - y);
  return { sessions: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1]!, staleAnswers };
}

/** autocannon against each node at once, the connections split evenly; req/s summed. */
async function measureAuth(nodes: RunContext["nodes"], cookie: string, connections: number, duration: number, round: number): Promise<ClusterAuthMeasurement> {
  const before = await Promise.all(nodes.map((node) => node.server.stats()));
  const results = await Promise.all(
    nodes.map((node) =>
      autocannon({ url: `${node.base}/auth/me`, headers: { cookie }, connections: Math.max(1, Math.round(connections / nodes.length)), duration }),
    ),
  );
  const after = await Promise.all(nodes.map((node) => node.server.stats()));
  results.forEach((result, i) => assertClean(result, `${round === 0 ? "warm-up" : `round ${round}`} GET /auth/me on node ${"AB"[i]}`));
  const rps = results.reduce((sum, r) => sum + r.requests.total / ((r.finish.getTime() - r.start.getTime()) / 1000), 0);
  return {
    round,
    nodes: nodes.length as 1 | 2,
    rps,
    latencyP50: Math.max(...results.map((r) => r.latency.p50)),
    latencyP99: Math.max(...results.map((r) => r.latency.p99)),
    nodeCpu: after.map((s, i) => (s.cpuUser + s.cpuSystem - before[i]!.cpuUser - before[i]!.cpuSystem) / ((s.wallNs - before[i]!.wallNs) / 1000)),
  };
}

/** PostgreSQL answers and Redis answers a PING; otherwise one error naming both URLs and how to set them. */
async function checkPrerequisites(options: ClusterOptions): Promise<void> {
  const missing: string[] = [];
  const client = new pg.Client({ connectionString: options.databaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
  } catch (error) {
    missing.push(`PostgreSQL at ${withoutPassword(options.databaseUrl)} (${reason(error)}; set PARLOR_BENCH_PG_URL)`);
  } finally {
    await client.end().catch(() => {});
  }
  const redis = new Redis(options.redisUrl, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    missing.push(`Redis at ${withoutPassword(options.redisUrl)} (${reason(error)}; set PARLOR_BENCH_REDIS_URL)`);
  } finally {
    redis.disconnect();
  }
  if (missing.length > 0) throw new ClusterPrerequisiteError(`the cluster benchmark needs ${missing.join(" and ")}`);
}

/** Deletes every key under the run's prefix (the shared limits' counters, the nodes hash). */
async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

function withoutPassword(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return value;
  }
}

function reason(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  return typeof e.code === "string" ? e.code : String(e.message ?? error);
}
