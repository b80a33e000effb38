/**
 * Benchmark: the authenticated fast path (GET /auth/me with a session cookie whose token is
 * already verified and cached) against a bare route on the same server with no auth, and
 * Parlor's `/auth/me` and `/healthz` against a bare Fastify server in its own process.
 *
 * The servers run in child processes (bench/server-process.ts, bench/baseline-process.ts),
 * pinned to one core when `taskset` can, with autocannon here on the other. Rounds interleave
 * the routes (fastify, bare, me, healthz | healthz, me, bare, fastify | …) so drift of a noisy
 * machine hits all of them, and the results are the medians of the per-round ratios. See
 * bench/README.md.
 */
import autocannon, { type Result } from "autocannon";
import { BARE_FASTIFY_ROUTE, BARE_ROUTE } from "./protocol.js";
import { logIn, pinServerAndSelf, withBaselineProcess, withServerProcess, type ServerProcess } from "./server-control.js";
import { fmtInt, fmtPct, median } from "./util.js";

export { fmtInt, fmtPct, median } from "./util.js";

/**
 * `fastify`: the bare Fastify server in its own process, answering the same JSON as `me`.
 * `bare`: the bare route on Parlor's server, no cookie. `me`: GET /auth/me with the session
 * cookie. `healthz`: GET /healthz, no cookie. `bare+cookie` (with `--breakdown`): the bare
 * route with the session cookie, so the session hook does its full work but the handler stays
 * trivial; it splits the cost of `me` into "authenticating" and "the /auth/me handler and its
 * bigger response".
 */
export type RouteName = "fastify" | "bare" | "bare+cookie" | "me" | "healthz";

export const ROUTES: Record<RouteName, { path: string; withCookie: boolean; label: string; server: "parlor" | "fastify" }> = {
  fastify: { path: BARE_FASTIFY_ROUTE, withCookie: false, label: "bare Fastify (own process)", server: "fastify" },
  bare: { path: BARE_ROUTE, withCookie: false, label: `GET ${BARE_ROUTE}`, server: "parlor" },
  "bare+cookie": { path: BARE_ROUTE, withCookie: true, label: `GET ${BARE_ROUTE} + cookie`, server: "parlor" },
  me: { path: "/auth/me", withCookie: true, label: "GET /auth/me", server: "parlor" },
  healthz: { path: "/healthz", withCookie: false, label: "GET /healthz", server: "parlor" },
};

export interface AuthFastPathOptions {
  rounds: number;
  /** Seconds per measurement. */
  duration: number;
  /** Seconds of warm-up per route before the first round (0 to skip). */
  warmup: number;
  connections: number;
  pipelining: number;
  /** Measure only one route (for profiling); no ratio then. */
  only?: RouteName | undefined;
  /** Also measure `bare+cookie`. */
  breakdown?: boolean | undefined;
  /** Start the server with `--cpu-prof` writing into this folder. */
  cpuProfileDir?: string | undefined;
  /** Pin the servers to one core and this process to the others with `taskset` (default true). */
  pin?: boolean | undefined;
  log: (line: string) => void;
}

export interface Measurement {
  round: number;
  route: RouteName;
  requests: number;
  /** Completed requests per second over the measurement. */
  rps: number;
  latencyP50: number;
  latencyP99: number;
  /** Share of one core the server process used (user + system) during the measurement. */
  serverCpu: number;
  /** Share of one core this process (the load generator) used during the measurement. */
  clientCpu: number;
  /** Server CPU time per completed request, in microseconds. */
  cpuPerRequestUs: number;
  /** SQL statements the server ran during the measurement. */
  dbStatements: number;
}

export interface RoundRatio {
  round: number;
  /** me req/s ÷ bare req/s. */
  rpsRatio: number;
  /** bare CPU/request ÷ me CPU/request: the same ratio seen from the server's CPU bill. */
  cpuRatio: number;
  /** bare+cookie req/s ÷ bare req/s, with `breakdown`. */
  authRpsRatio?: number;
  /** bare CPU/request ÷ bare+cookie CPU/request, with `breakdown`. */
  authCpuRatio?: number;
  /** me req/s ÷ bare Fastify req/s, and the same from the servers' CPU per request. */
  meVsFastify: number;
  meVsFastifyCpu: number;
  /** healthz req/s ÷ bare Fastify req/s, and the same from the servers' CPU per request. */
  healthzVsFastify: number;
  healthzVsFastifyCpu: number;
}

export interface AuthFastPathResult {
  measurements: Measurement[];
  ratios: RoundRatio[];
  medianRpsRatio: number | null;
  medianCpuRatio: number | null;
  medianAuthRpsRatio: number | null;
  medianAuthCpuRatio: number | null;
  medianMeVsFastify: number | null;
  medianMeVsFastifyCpu: number | null;
  medianHealthzVsFastify: number | null;
  medianHealthzVsFastifyCpu: number | null;
  /** Whether the servers and this process were pinned to separate cores. */
  pinned: boolean;
  /** Bytes of the JSON body of `/auth/me`, which the bare Fastify route answers too. */
  bodyBytes: number;
  /**
   * Best of the rounds, per route: highest req/s of me ÷ highest req/s of bare, and lowest
   * CPU/request of bare ÷ lowest of me. Other processes only ever make a measurement slower,
   * so the best rounds are the least disturbed ones.
   */
  bestRpsRatio: number | null;
  bestCpuRatio: number | null;
  loginDbStatements: number;
  measuredDbStatements: number;
  cpuProfileDir?: string | undefined;
}

const USERNAME = "bench";
/** Below this share of a core the server was not the bottleneck (see README, "Reading the ratio"). */
export const SATURATED_CPU = 0.9;

export async function benchAuthFastPath(options: AuthFastPathOptions): Promise<AuthFastPathResult> {
  return withServerProcess({ cpuProfileDir: options.cpuProfileDir }, async (server, password) => {
    const base = `http://127.0.0.1:${server.port}`;
    const beforeLogin = await server.stats();
    const { cookie } = await logIn(base, server.cookieName, USERNAME, password);
    const meBody = await checkRoutes(base, cookie);
    const afterChecks = await server.stats();
    const loginDbStatements = afterChecks.dbStatements - beforeLogin.dbStatements;
    if (loginDbStatements === 0) {
      throw new Error(
        "The database spy saw no statement during login: it is not wired to the server's SQLite connection, so the 'no DB on the fast path' check would prove nothing.",
      );
    }
    const session = { cookie, meBody, loginDbStatements, statementsBefore: afterChecks.dbStatements };
    const routes = routesToMeasure(options);
    if (!routes.includes("fastify")) return runAgainst({ parlor: server, fastify: null }, session, routes, options);
    return withBaselineProcess({ kind: "fastify", body: JSON.parse(meBody) }, async (fastify) => {
      await checkBareFastify(`http://127.0.0.1:${fastify.port}`, meBody);
      return runAgainst({ parlor: server, fastify }, session, routes, options);
    });
  });
}

function routesToMeasure(options: AuthFastPathOptions): RouteName[] {
  if (options.only) return [options.only];
  return options.breakdown ? ["fastify", "bare", "bare+cookie", "me", "healthz"] : ["fastify", "bare", "me", "healthz"];
}

interface Servers {
  parlor: ServerProcess;
  fastify: ServerProcess | null;
}

/** What the login and the checks left: the cookie, `/auth/me`'s body, and the SQL counter. */
interface Session {
  cookie: string;
  meBody: string;
  loginDbStatements: number;
  /** Parlor's statement counter after the checks: it must not move while measuring. */
  statementsBefore: number;
}

async function runAgainst(servers: Servers, session: Session, routes: RouteName[], options: AuthFastPathOptions): Promise<AuthFastPathResult> {
  const { log } = options;
  const server = servers.parlor;
  const base = `http://127.0.0.1:${server.port}`;
  log(`server: child pid ${server.pid}, ${base}` + (servers.fastify ? `; bare Fastify: child pid ${servers.fastify.pid}, port ${servers.fastify.port}` : ""));

  let unpin: (() => void) | null = null;
  if (options.pin !== false) {
    unpin = pinServerAndSelf(server.pid);
    if (unpin && servers.fastify) unpin = pinServerAndSelf(servers.fastify.pid) ?? unpin;
    log(unpin ? "pinned with taskset: the server(s) on core 0, this process (autocannon) on the other core(s)" : "not pinned (taskset failed or one core)");
  }
  try {
    return await measureAll(servers, session, routes, options, unpin !== null);
  } finally {
    unpin?.();
  }
}

async function measureAll(servers: Servers, session: Session, routes: RouteName[], options: AuthFastPathOptions, pinned: boolean): Promise<AuthFastPathResult> {
  const { log } = options;
  const { cookie, meBody, loginDbStatements } = session;
  const server = servers.parlor;

  const measure = (round: number, route: RouteName, duration: number) => {
    const target = ROUTES[route].server === "fastify" ? servers.fastify! : server;
    return measureRoute(
      target,
      `http://127.0.0.1:${target.port}${ROUTES[route].path}`,
      ROUTES[route].withCookie ? { cookie } : {},
      { ...options, duration },
      round,
      route,
    );
  };

  if (options.warmup > 0) {
    log(`warm-up: ${routes.map((r) => ROUTES[r].label).join(", ")}: ${options.warmup} s each`);
    for (const route of routes) await measure(0, route, options.warmup);
  }

  const measurements: Measurement[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    // fastify, bare, me, healthz | healthz, me, bare, fastify | …: a load that drifts during
    // the run does not always favour the route measured later.
    const order = round % 2 === 1 ? routes : [...routes].reverse();
    for (const route of order) {
      const m = await measure(round, route, options.duration);
      measurements.push(m);
      log(
        `round ${round} ${ROUTES[route].label.padEnd(24)} ${fmtInt(m.rps).padStart(8)} req/s  ` +
          `server CPU ${fmtPct(m.serverCpu)} (${m.cpuPerRequestUs.toFixed(1)} µs/req), load generator CPU ${fmtPct(m.clientCpu)}`,
      );
    }
  }

  const measuredDbStatements = (await server.stats()).dbStatements - session.statementsBefore;
  if (measuredDbStatements !== 0) {
    throw new Error(
      `The server ran ${measuredDbStatements} SQL statement(s) while the routes were measured: the authenticated fast path must not touch the database.`,
    );
  }

  const ratios: RoundRatio[] = [];
  if (!options.only) {
    for (let round = 1; round <= options.rounds; round++) {
      const find = (route: RouteName) => measurements.find((m) => m.round === round && m.route === route);
      const bare = find("bare")!;
      const me = find("me")!;
      const fastify = find("fastify")!;
      const healthz = find("healthz")!;
      const bareCookie = find("bare+cookie");
      ratios.push({
        round,
        rpsRatio: me.rps / bare.rps,
        cpuRatio: bare.cpuPerRequestUs / me.cpuPerRequestUs,
        meVsFastify: me.rps / fastify.rps,
        meVsFastifyCpu: fastify.cpuPerRequestUs / me.cpuPerRequestUs,
        healthzVsFastify: healthz.rps / fastify.rps,
        healthzVsFastifyCpu: fastify.cpuPerRequestUs / healthz.cpuPerRequestUs,
        ...(bareCookie ? { authRpsRatio: bareCookie.rps / bare.rps, authCpuRatio: bare.cpuPerRequestUs / bareCookie.cpuPerRequestUs } : {}),
      });
    }
  }
  const medianOf = (values: Array<number | undefined>) => {
    const present = values.filter((v): v is number => v !== undefined);
    return present.length ? median(present) : null;
  };
  const best = (route: RouteName) => {
    const of = measurements.filter((m) => m.route === route);
    return { rps: Math.max(...of.map((m) => m.rps)), cpu: Math.min(...of.map((m) => m.cpuPerRequestUs)) };
  };
  const bestBare = options.only ? null : best("bare");
  const bestMe = options.only ? null : best("me");
  return {
    measurements,
    ratios,
    bestRpsRatio: bestBare && bestMe ? bestMe.rps / bestBare.rps : null,
    bestCpuRatio: bestBare && bestMe ? bestBare.cpu / bestMe.cpu : null,
    medianRpsRatio: medianOf(ratios.map((r) => r.rpsRatio)),
    medianCpuRatio: medianOf(ratios.map((r) => r.cpuRatio)),
    medianAuthRpsRatio: medianOf(ratios.map((r) => r.authRpsRatio)),
    medianAuthCpuRatio: medianOf(ratios.map((r) => r.authCpuRatio)),
    medianMeVsFastify: medianOf(ratios.map((r) => r.meVsFastify)),
    medianMeVsFastifyCpu: medianOf(ratios.map((r) => r.meVsFastifyCpu)),
    medianHealthzVsFastify: medianOf(ratios.map((r) => r.healthzVsFastify)),
    medianHealthzVsFastifyCpu: medianOf(ratios.map((r) => r.healthzVsFastifyCpu)),
    pinned,
    bodyBytes: Buffer.byteLength(meBody),
    loginDbStatements,
    measuredDbStatements,
    cpuProfileDir: options.cpuProfileDir,
  };
}

/**
 * Makes sure each benchmarked route answers what we think it answers, before measuring it.
 * Returns the body of `/auth/me`, which the bare Fastify server is given to answer.
 */
async function checkRoutes(base: string, cookie: string): Promise<string> {
  const bare = await fetch(`${base}${BARE_ROUTE}`);
  const bareBody = await bare.text();
  if (bare.status !== 200 || bareBody !== '{"ok":true}') {
    throw new Error(`GET ${BARE_ROUTE} answered ${bare.status} ${bareBody}`);
  }
  const anonymous = await fetch(`${base}/auth/me`);
  await anonymous.text();
  if (anonymous.status !== 401) {
    throw new Error(`GET /auth/me without a cookie answered ${anonymous.status}, expected 401: the route is not authenticated`);
  }
  const me = await fetch(`${base}/auth/me`, { headers: { cookie } });
  const meBody = await me.text();
  if (me.status !== 200) throw new Error(`GET /auth/me with the session cookie answered ${me.status}: ${meBody}`);
  const parsed = JSON.parse(meBody) as { user?: { identifier?: string } };
  if (parsed.user?.identifier !== USERNAME) throw new Error(`GET /auth/me answered an unexpected body: ${meBody}`);
  if (me.headers.getSetCookie().length > 0) {
    throw new Error("GET /auth/me renewed or cleared the cookie: the benchmark would not measure the cached fast path");
  }
  const bareCookie = await fetch(`${base}${BARE_ROUTE}`, { headers: { cookie } });
  await bareCookie.text();
  if (bareCookie.status !== 200 || bareCookie.headers.getSetCookie().length > 0) {
    throw new Error(`GET ${BARE_ROUTE} with the session cookie answered ${bareCookie.status} (or touched the cookie)`);
  }
  const health = await fetch(`${base}/healthz`);
  const healthBody = await health.text();
  if (health.status !== 200 || healthBody !== '{"status":"ok"}') throw new Error(`GET /healthz answered ${health.status} ${healthBody}`);
  return meBody;
}

/** The bare Fastify server answers exactly the bytes of `/auth/me`. */
async function checkBareFastify(base: string, meBody: string): Promise<void> {
  const response = await fetch(`${base}${BARE_FASTIFY_ROUTE}`);
  const body = await response.text();
  if (response.status !== 200 || body !== meBody) {
    throw new Error(`the bare Fastify server answered ${response.status} ${body.slice(0, 200)}, expected the body of /auth/me`);
  }
}

async function measureRoute(
  server: ServerProcess,
  url: string,
  headers: Record<string, string>,
  options: Pick<AuthFastPathOptions, "duration" | "connections" | "pipelining">,
  round: number,
  route: RouteName,
): Promise<Measurement> {
  const before = await server.stats();
  const clientBefore = process.cpuUsage();
  const clientStart = process.hrtime.bigint();
  const result = await autocannon({
    url,
    headers,
    connections: options.connections,
    pipelining: options.pipelining,
    duration: options.duration,
  });
  const clientCpu = process.cpuUsage(clientBefore);
  const clientWallUs = Number(process.hrtime.bigint() - clientStart) / 1000;
  const after = await server.stats();
  assertClean(result, `${round === 0 ? "warm-up" : `round ${round}`} GET ${new URL(url).pathname}`);

  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  const requests = result.requests.total;
  const cpuUs = after.cpuUser + after.cpuSystem - (before.cpuUser + before.cpuSystem);
  const wallUs = (after.wallNs - before.wallNs) / 1000;
  return {
    round,
    route,
    requests,
    rps: requests / seconds,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    serverCpu: cpuUs / wallUs,
    clientCpu: (clientCpu.user + clientCpu.system) / clientWallUs,
    cpuPerRequestUs: cpuUs / requests,
    dbStatements: after.dbStatements - before.dbStatements,
  };
}

export function assertClean(result: Result, what: string): void {
  const problems: string[] = [];
  if (result.requests.total === 0) problems.push("no request completed");
  if (result.non2xx > 0) problems.push(`${result.non2xx} non-2xx responses (status codes: ${JSON.stringify(result.statusCodeStats)})`);
  if (result.errors > 0) problems.push(`${result.errors} connection errors`);
  if (result.timeouts > 0) problems.push(`${result.timeouts} timeouts`);
  if (result.resets > 0) problems.push(`${result.resets} pipeline resets`);
  if (problems.length > 0) throw new Error(`${what}: ${problems.join("; ")}`);
}
