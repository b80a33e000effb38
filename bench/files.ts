/**
 * Benchmark: downloading a large file through Parlor (`GET /api/files/:id` with the session
 * cookie) against `@fastify/static` serving the same bytes from the same server process, and the
 * server's memory while it serves (issue "Files": memory must not grow with the file size).
 *
 * The server runs in a child process (bench/server-process.ts), which also serves its storage
 * folder with @fastify/static under STATIC_PREFIX. This process generates the file on the fly
 * (never whole in memory), uploads it through `POST /api/files`, asks the child where the bytes
 * landed on disk, and downloads it both ways, streaming and discarding, while it samples the
 * child's RSS every 50 ms. See bench/README.md.
 */
import { createHash, randomBytes, type Hash } from "node:crypto";
import { closeSync, createReadStream, fsyncSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { Agent, request, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { STATIC_64K_PREFIX, STATIC_PREFIX } from "./protocol.js";
import { logIn, startServerProcess, type Login, type ServerProcess } from "./server-control.js";
import { fmtMB, fmtMs, median, percentile, sleep } from "./util.js";

export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;

export interface FilesOptions {
  /** Bytes of the file downloaded (default 1 GiB). */
  fileSize: number;
  /** A smaller file measured the same way first, to show memory does not scale with size; 0 to skip. */
  compareSize: number;
  /** Sequential rounds per file: each downloads the file once by each route, interleaved. */
  rounds: number;
  /** Concurrent downloads per measurement in the concurrent rounds (1 or less: none). */
  concurrency: number;
  /** Concurrent rounds per file: each runs `concurrency` downloads at once by each route. */
  concurrentRounds: number;
  /** Seconds a client holds a download paused (backpressure check, on the big file); 0 to skip. */
  pause: number;
  /** Requests per route for the time-to-headers check (`Range: bytes=0-0`). */
  headerRequests: number;
  /** Also measure @fastify/static reading the file 64 KiB at a time, as Parlor does (see README). */
  tunedStatic: boolean;
  cpuProfileDir?: string | undefined;
  log: (line: string) => void;
}

/**
 * `parlor`: GET /api/files/:id with the session cookie. `static`: @fastify/static as registered
 * (its default read size). `static64k`: @fastify/static's `reply.sendFile` with
 * `highWaterMark: 65536`, the read size of Parlor's `createReadStream` (`--file-static-64k`).
 */
export type FileRoute = "parlor" | "static" | "static64k";
export const FILE_ROUTE_LABELS: Record<FileRoute, string> = {
  parlor: "GET /api/files/:id",
  static: "@fastify/static",
  static64k: "@fastify/static 64K",
};

/**
 * The chunk size @fastify/static reads files with on this Node: @fastify/send 4 passes
 * `highWaterMark: null` to `fs.createReadStream` unless told otherwise, which gets the generic
 * stream default (16 KiB on Node 20, 64 KiB from Node 22), not fs streams' 64 KiB.
 */
export function staticReadSize(): number {
  const probe = createReadStream(fileURLToPath(import.meta.url), { highWaterMark: null as unknown as number });
  const size = probe.readableHighWaterMark;
  probe.destroy();
  return size;
}

export interface DownloadMeasurement {
  round: number;
  route: FileRoute;
  /** Downloads in flight at once. */
  concurrency: number;
  /** Bytes received in all (file size × concurrency). */
  bytes: number;
  /** Wall time from the first request to the last byte, ms. */
  ms: number;
  /** Bytes per second over `ms` (all downloads together), in MiB/s. */
  mbps: number;
  /** Median time from sending a request to its response headers, ms. */
  headersMs: number;
  /** Share of one core the server / this process (the client) used. */
  serverCpu: number;
  clientCpu: number;
  /** Server CPU time per GiB served, ms. */
  serverCpuMsPerGiB: number;
  /** Server RSS at the start of the measurement and the highest sample during it. */
  rssStart: number;
  rssPeak: number;
}

export interface PausedCheck {
  route: FileRoute;
  /** Bytes received before the client paused. */
  receivedBeforePause: number;
  pausedMs: number;
  /** Server RSS when the client paused, and the highest sample while it stayed paused. */
  rssAtPause: number;
  rssPeakDuringPause: number;
  /** Server CPU during the pause, share of a core (≈ 0 when the server waits for the socket). */
  serverCpuDuringPause: number;
  /** Descriptors of the server still open on the file 0.5 s after the client hung up. */
  fdsLeftOpen: number | null;
}

export interface FileRun {
  size: number;
  upload: {
    ms: number;
    mbps: number;
    serverCpu: number;
    /** Server CPU time per GiB received, ms. */
    serverCpuMsPerGiB: number;
    clientCpu: number;
    fsyncMs: number;
    /** Server RSS before the upload and the highest sample during it. */
    rssStart: number;
    rssPeak: number;
  };
  storageKey: string;
  /** Absolute path of the stored bytes, and the URL path @fastify/static serves them at. */
  storagePath: string;
  staticPath: string;
  /** Response headers of the verifying download, by route (the routes verified with sha256). */
  headers: Partial<Record<FileRoute, IncomingHttpHeaders>>;
  /** `Range: bytes=0-0` round trips, ms, by route: per-request overhead without the body. */
  headerLatency: Partial<Record<FileRoute, { p50: number; p99: number; n: number }>>;
  measurements: DownloadMeasurement[];
  /** Server RSS after a full GC, right before the measured downloads of this file. */
  baselineRss: number;
  /** Highest server RSS sampled while this file was being served (all measurements and the paused check). */
  peakRss: number;
  paused: PausedCheck[];
}

export interface RouteRatio {
  /** What Parlor is compared with: `static`, or `static64k`. */
  reference: FileRoute;
  round: number;
  concurrency: number;
  /** parlor MB/s ÷ reference MB/s, in that round. */
  mbpsRatio: number;
  /** reference CPU per GiB ÷ parlor CPU per GiB. */
  cpuRatio: number;
}

export interface RatioMedian {
  reference: FileRoute;
  concurrency: number;
  mbpsRatio: number;
  cpuRatio: number;
}

export interface FilesResult {
  runs: FileRun[];
  routes: FileRoute[];
  /** Ratios of the big file (the last run), per round, and their medians. */
  ratios: RouteRatio[];
  medians: RatioMedian[];
  /** `readableHighWaterMark` of @fastify/static's file streams on this Node (its read size). */
  staticReadSize: number;
  /** How the child's RSS was sampled: `/proc/<pid>/status` (VmRSS) or IPC. */
  rssSource: string;
  problems: string[];
  notes: string[];
  /** Wall time of the whole benchmark (server start to stop), seconds. */
  seconds: number;
}

const USERNAME = "bench-files";
const BLOCK = MiB;
const RSS_INTERVAL_MS = 50;

export async function benchFiles(options: FilesOptions): Promise<FilesResult> {
  const started = performance.now();
  const dataDir = mkdtempSync(join(tmpdir(), "parlor-bench-files-"));
  // The folder holds a file of --file-size: do not leave it behind on Ctrl-C either.
  const onSignal = (signal: NodeJS.Signals) => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const password = randomBytes(16).toString("base64url");
    const storageRoot = join(dataDir, "files");
    const server = await startServerProcess({
      dataDir,
      authSecret: randomBytes(32).toString("base64url"),
      password,
      filesMaxBytes: Math.max(options.fileSize, options.compareSize),
      staticRoot: storageRoot,
      static64k: options.tunedStatic,
      cpuProfileDir: options.cpuProfileDir,
    });
    try {
      const result = await runAgainst(server, password, storageRoot, options);
      return { ...result, seconds: (performance.now() - started) / 1000 };
    } finally {
      await server.stop();
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function runAgainst(server: ServerProcess, password: string, storageRoot: string, options: FilesOptions): Promise<Omit<FilesResult, "seconds">> {
  const { log } = options;
  const base = `http://127.0.0.1:${server.port}`;
  const login = await logIn(base, server.cookieName, USERNAME, password);
  const sampler = await RssSampler.start(server);
  log(`server: child pid ${server.pid}, ${base}; RSS sampled every ${RSS_INTERVAL_MS} ms from ${sampler.source}`);
  const agent = new Agent({ keepAlive: true, maxSockets: Math.max(1, options.concurrency) });
  const routes: FileRoute[] = options.tunedStatic ? ["parlor", "static", "static64k"] : ["parlor", "static"];
  const problems: string[] = [];
  const notes: string[] = [];
  try {
    const sizes = options.compareSize > 0 && options.compareSize !== options.fileSize ? [options.compareSize, options.fileSize] : [options.fileSize];
    const runs: FileRun[] = [];
    for (const size of sizes) {
      const big = size === options.fileSize;
      // sha256 of every route on the first file; on the big one, of Parlor's route only when a
      // smaller file already proved the others (a full extra download each), else of all.
      const verify = !big || sizes.length === 1 ? routes : (["parlor"] as FileRoute[]);
      runs.push(await runFile(server, base, login, storageRoot, agent, sampler, size, big, routes, verify, options, problems, notes));
    }
    const main = runs[runs.length - 1]!;
    const ratios: RouteRatio[] = [];
    const medians: RatioMedian[] = [];
    for (const reference of routes.filter((route) => route !== "parlor")) {
      const keys = [...new Set(main.measurements.map((m) => `${m.concurrency}:${m.round}`))];
      for (const key of keys) {
        const [concurrency, round] = key.split(":").map(Number) as [number, number];
        const find = (route: FileRoute) => main.measurements.find((m) => m.round === round && m.concurrency === concurrency && m.route === route)!;
        const parlor = find("parlor");
        const other = find(reference);
        ratios.push({
          reference,
          round,
          concurrency,
          mbpsRatio: parlor.mbps / other.mbps,
          cpuRatio: other.serverCpuMsPerGiB / parlor.serverCpuMsPerGiB,
        });
      }
      for (const concurrency of new Set(main.measurements.map((m) => m.concurrency))) {
        const of = ratios.filter((r) => r.reference === reference && r.concurrency === concurrency);
        medians.push({ reference, concurrency, mbpsRatio: median(of.map((r) => r.mbpsRatio)), cpuRatio: median(of.map((r) => r.cpuRatio)) });
      }
    }
    return {
      runs,
      routes,
      ratios,
      medians,
      staticReadSize: staticReadSize(),
      rssSource: sampler.source,
      problems,
      notes,
    };
  } finally {
    sampler.stop();
    agent.destroy();
  }
}

async function runFile(
  server: ServerProcess,
  base: string,
  login: Login,
  storageRoot: string,
  agent: Agent,
  sampler: RssSampler,
  size: number,
  big: boolean,
  routes: FileRoute[],
  verify: FileRoute[],
  options: FilesOptions,
  problems: string[],
  notes: string[],
): Promise<FileRun> {
  const { log } = options;

  // ---- Upload, through the real endpoint, generated on the fly ----
  const uploadRssStart = await sampler.reset();
  const cpuBefore = await server.stats();
  const clientCpuBefore = process.cpuUsage();
  const uploadStart = performance.now();
  const uploaded = await uploadGenerated(base, login, size, `bench-${fmtSize(size).replace(/\s/g, "")}.bin`);
  const uploadMs = performance.now() - uploadStart;
  const cpuAfter = await server.stats();
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const uploadRssPeak = Math.max(sampler.peak, await sampler.sample());
  if (uploaded.size !== size) throw new Error(`POST /api/files stored ${uploaded.size} bytes, sent ${size}`);
  const where = await server.filePath(uploaded.id);
  if (where.size !== size) throw new Error(`The stored file ${where.path} has ${where.size} bytes, expected ${size}`);
  const rel = relative(storageRoot, where.path);
  if (rel.startsWith("..")) throw new Error(`The stored file ${where.path} is not under ${storageRoot}`);
  const relUrl = rel.split(sep).join("/");
  const staticPath = STATIC_PREFIX + relUrl;
  // The upload leaves up to `size` bytes of dirty page cache: flush it now, so the disk's
  // write-back does not run during the measurements. The file stays in the page cache (clean):
  // every download below reads memory, not the disk.
  const fsyncStart = performance.now();
  const fd = openSync(where.path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const fsyncMs = performance.now() - fsyncStart;
  const upload = {
    ms: uploadMs,
    mbps: size / MiB / (uploadMs / 1000),
    serverCpu: cpuMs(cpuBefore, cpuAfter) / uploadMs,
    serverCpuMsPerGiB: cpuMs(cpuBefore, cpuAfter) / (size / GiB),
    clientCpu: (clientCpu.user + clientCpu.system) / 1000 / uploadMs,
    fsyncMs,
    rssStart: uploadRssStart,
    rssPeak: uploadRssPeak,
  };
  log(
    `${fmtSize(size)}: uploaded in ${(uploadMs / 1000).toFixed(1)} s (${upload.mbps.toFixed(0)} MB/s, server CPU ${pct(upload.serverCpu)}, ` +
      `${upload.serverCpuMsPerGiB.toFixed(0)} ms/GB, RSS ${fmtMB(upload.rssStart)} → peak ${fmtMB(upload.rssPeak)}), ` +
      `stored at ${where.path} (fsync ${fmtMs(fsyncMs)} ms), static URL ${staticPath}`,
  );

  const urls: Record<FileRoute, string> = {
    parlor: `${base}/api/files/${uploaded.id}`,
    static: `${base}${staticPath}`,
    static64k: `${base}${STATIC_64K_PREFIX}${relUrl}`,
  };
  const headersFor: Record<FileRoute, Record<string, string>> = { parlor: { cookie: login.cookie }, static: {}, static64k: {} };

  // ---- Check the routes answer the bytes uploaded (also the warm-up) ----
  const headers = {} as Record<FileRoute, IncomingHttpHeaders>;
  for (const route of verify) {
    const d = await download(urls[route], headersFor[route], agent, size, true);
    if (d.sha256 !== uploaded.sha256) throw new Error(`${FILE_ROUTE_LABELS[route]}: sha256 ${d.sha256} of the download ≠ ${uploaded.sha256} uploaded`);
    headers[route] = d.headers;
  }
  if (big) {
    // Parlor's route must really be authenticated, or the comparison is with the wrong path.
    const anonymous = await fetch(urls.parlor, { method: "HEAD" });
    if (anonymous.status !== 401) throw new Error(`GET /api/files/:id without the cookie answered ${anonymous.status}, expected 401`);
  }
  log(
    `${fmtSize(size)}: ${verify.map((r) => FILE_ROUTE_LABELS[r]).join(", ")} served the ${size.toLocaleString("en-US")} bytes uploaded ` +
      `(sha256 ${uploaded.sha256.slice(0, 16)}…)` +
      (verify.length < routes.length ? "; the other route(s): length checked on every download" : ""),
  );

  // ---- Time to headers: tiny Range requests, no body to speak of ----
  const headerLatency = {} as FileRun["headerLatency"];
  for (const route of routes) headerLatency[route] = { p50: 0, p99: 0, n: 0 };
  if (options.headerRequests > 0) {
    const samples: Record<FileRoute, number[]> = { parlor: [], static: [], static64k: [] };
    // Interleaved in blocks of 10, so drift hits every route.
    for (let i = 0; i < options.headerRequests; i += 10) {
      for (const route of routes) {
        for (let j = i; j < Math.min(options.headerRequests, i + 10); j++) {
          samples[route].push(await rangeRoundTrip(urls[route], headersFor[route], agent));
        }
      }
    }
    for (const route of routes) {
      const sorted = samples[route].sort((a, b) => a - b);
      headerLatency[route] = { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
    }
  }

  // ---- Measured downloads ----
  const baselineRss = (await server.realtime({ gc: true })).rss;
  const measurements: DownloadMeasurement[] = [];
  const measure = async (round: number, route: FileRoute, concurrency: number) => {
    const m = await measureDownloads(server, sampler, urls[route], headersFor[route], agent, size, concurrency, round, route);
    measurements.push(m);
    log(
      `${fmtSize(size)} round ${round} ${concurrency > 1 ? `${concurrency}× ` : ""}${FILE_ROUTE_LABELS[route].padEnd(19)} ` +
        `${m.mbps.toFixed(0).padStart(6)} MB/s  server CPU ${pct(m.serverCpu)} (${m.serverCpuMsPerGiB.toFixed(0)} ms/GB), ` +
        `client CPU ${pct(m.clientCpu)}, RSS peak ${fmtMB(m.rssPeak)}`,
    );
  };
  for (let round = 1; round <= options.rounds; round++) {
    for (const route of round % 2 === 1 ? routes : [...routes].reverse()) await measure(round, route, 1);
  }
  if (options.concurrency > 1) {
    for (let round = 1; round <= options.concurrentRounds; round++) {
      for (const route of round % 2 === 1 ? routes : [...routes].reverse()) await measure(round, route, options.concurrency);
    }
  }

  // ---- A client that stops reading: does the server stop too? ----
  const paused: PausedCheck[] = [];
  if (big && options.pause > 0) {
    for (const route of routes) {
      const check = await pausedDownload(server, sampler, urls[route], headersFor[route], size, options.pause * 1000, where.path, route);
      paused.push(check);
      log(
        `${fmtSize(size)} paused ${FILE_ROUTE_LABELS[route]}: after ${fmtMB(check.receivedBeforePause)} the client stopped reading for ` +
          `${(check.pausedMs / 1000).toFixed(1)} s: server RSS ${fmtMB(check.rssAtPause)} → peak ${fmtMB(check.rssPeakDuringPause)}, ` +
          `server CPU ${pct(check.serverCpuDuringPause)}; ` +
          (check.fdsLeftOpen === null ? "open descriptors not checked" : `${check.fdsLeftOpen} descriptor(s) on the file left open after the client hung up`),
      );
      if (check.rssPeakDuringPause - check.rssAtPause > Math.min(size / 4, 256 * MiB)) {
        problems.push(
          `${FILE_ROUTE_LABELS[route]}: server RSS grew by ${fmtMB(check.rssPeakDuringPause - check.rssAtPause)} while the client was not reading: no backpressure`,
        );
      }
      if (check.fdsLeftOpen !== null && check.fdsLeftOpen > 0) {
        notes.push(`${FILE_ROUTE_LABELS[route]}: ${check.fdsLeftOpen} descriptor(s) on the file still open 0.5 s after the client hung up mid-download`);
      }
    }
  }

  const peakRss = Math.max(...measurements.map((m) => m.rssPeak), ...paused.map((p) => p.rssPeakDuringPause), baselineRss);
  return {
    size,
    upload,
    storageKey: where.storageKey,
    storagePath: where.path,
    staticPath,
    headers,
    headerLatency,
    measurements,
    baselineRss,
    peakRss,
    paused,
  };
}

// ---- Upload -----------------------------------------------------------------------------------

/**
 * The file's bytes, generated as they are sent: one random 1 MiB block, repeated, each copy
 * starting with its own counter ("block 00000042\n"), so no two blocks are alike and a
 * download that mixed blocks up would fail the checksum. The random part is never written
 * to, so handing the same buffer to the socket again and again is safe.
 */
function* generateFile(size: number, random: Buffer): Generator<Buffer> {
  for (let offset = 0, block = 0; offset < size; offset += BLOCK, block++) {
    const length = Math.min(BLOCK, size - offset);
    const label = Buffer.from(`block ${String(block).padStart(8, "0")}\n`, "latin1");
    if (length <= label.length) {
      yield label.subarray(0, length);
    } else {
      yield label;
      yield random.subarray(label.length, length);
    }
  }
}

interface Uploaded {
  id: string;
  size: number;
  sha256: string;
}

/** POST /api/files, multipart with the `file` field, streamed with backpressure; never the whole file in memory. */
async function uploadGenerated(base: string, login: Login, size: number, name: string): Promise<Uploaded> {
  const boundary = `----parlor-bench-${randomBytes(12).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` + `Content-Type: application/octet-stream\r\n\r\n`,
    "latin1",
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, "latin1");
  const hash = createHash("sha256");
  const random = randomBytes(BLOCK);

  return new Promise<Uploaded>((resolve, reject) => {
    const req = request(`${base}/api/files`, {
      method: "POST",
      agent: false,
      headers: {
        "content-type": `multipart/form-data; boundary=${boundary}`,
        "content-length": String(head.length + size + tail.length),
        cookie: login.cookie,
        origin: base,
        "x-csrf-token": login.csrfToken,
      },
    });
    let answered = false;
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    req.on("response", (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode !== 201) return reject(new Error(`POST /api/files answered ${res.statusCode}: ${body.slice(0, 500)}`));
        const info = JSON.parse(body) as { id: string; size: number };
        resolve({ id: info.id, size: info.size, sha256: hash.digest("hex") });
      });
    });
    const write = async () => {
      req.write(head);
      for (const chunk of generateFile(size, random)) {
        hash.update(chunk);
        if (!req.write(chunk)) {
          await new Promise<void>((drained, failed) => {
            const onError = (error: Error) => done(error);
            const onClose = () => done(new Error("POST /api/files: the connection closed during the upload"));
            const onDrain = () => done();
            const done = (error?: Error) => {
              req.off("error", onError).off("close", onClose).off("drain", onDrain);
              if (error) failed(error);
              else drained();
            };
            req.on("error", onError).on("close", onClose).on("drain", onDrain);
          });
        }
        if (answered) return; // an early error answer: stop sending
      }
      req.end(tail);
    };
    write().catch((error: unknown) => {
      if (!answered) reject(error instanceof Error ? error : new Error(String(error)));
    });
  });
}

// ---- Downloads --------------------------------------------------------------------------------

interface Download {
  bytes: number;
  ms: number;
  headersMs: number;
  headers: IncomingHttpHeaders;
  sha256?: string;
}

/** GET the whole file, streaming and discarding it (counting bytes; with `hash`, also sha256). */
function download(url: string, headers: Record<string, string>, agent: Agent, size: number, hash = false): Promise<Download> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const digest: Hash | undefined = hash ? createHash("sha256") : undefined;
    const req = request(url, { agent, headers });
    req.on("error", reject);
    req.on("response", (res) => {
      const headersMs = performance.now() - start;
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`GET ${new URL(url).pathname} answered ${res.statusCode}`));
      }
      if (res.headers["content-length"] !== String(size)) {
        res.resume();
        return reject(new Error(`GET ${new URL(url).pathname}: content-length ${res.headers["content-length"]}, expected ${size}`));
      }
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        digest?.update(chunk);
      });
      res.on("error", reject);
      res.on("end", () => {
        if (!res.complete || bytes !== size) {
          return reject(new Error(`GET ${new URL(url).pathname}: received ${bytes} of ${size} bytes`));
        }
        resolve({ bytes, ms: performance.now() - start, headersMs, headers: res.headers, ...(digest ? { sha256: digest.digest("hex") } : {}) });
      });
    });
    req.end();
  });
}

/** One `Range: bytes=0-0` request: the time to the (one-byte) answer, ms. */
function rangeRoundTrip(url: string, headers: Record<string, string>, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = request(url, { agent, headers: { ...headers, range: "bytes=0-0" } });
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        if (res.statusCode !== 206 || Buffer.concat(chunks).length !== 1) {
          return reject(new Error(`GET ${new URL(url).pathname} with Range: bytes=0-0 answered ${res.statusCode}`));
        }
        resolve(performance.now() - start);
      });
    });
    req.end();
  });
}

async function measureDownloads(
  server: ServerProcess,
  sampler: RssSampler,
  url: string,
  headers: Record<string, string>,
  agent: Agent,
  size: number,
  concurrency: number,
  round: number,
  route: FileRoute,
): Promise<DownloadMeasurement> {
  const rssStart = await sampler.reset();
  const before = await server.stats();
  const clientBefore = process.cpuUsage();
  const start = performance.now();
  const downloads = await Promise.all(Array.from({ length: concurrency }, () => download(url, headers, agent, size)));
  const ms = performance.now() - start;
  const clientCpu = process.cpuUsage(clientBefore);
  const after = await server.stats();
  const rssPeak = Math.max(sampler.peak, await sampler.sample());
  const bytes = downloads.reduce((sum, d) => sum + d.bytes, 0);
  const serverCpuMs = cpuMs(before, after);
  return {
    round,
    route,
    concurrency,
    bytes,
    ms,
    mbps: bytes / MiB / (ms / 1000),
    headersMs: median(downloads.map((d) => d.headersMs)),
    serverCpu: serverCpuMs / ((after.wallNs - before.wallNs) / 1e6),
    clientCpu: (clientCpu.user + clientCpu.system) / 1000 / ms,
    serverCpuMsPerGiB: serverCpuMs / (bytes / GiB),
    rssStart,
    rssPeak,
  };
}

/**
 * Downloads until 16 MiB (or half the file) arrived, then stops reading for `pauseMs` while
 * sampling the server: with backpressure the server stops reading the file once the socket's
 * buffers are full (RSS flat, CPU ≈ 0); without, it reads the rest into memory. Then the client
 * hangs up, and the server's descriptors on the file are counted (they should be closed).
 */
async function pausedDownload(
  server: ServerProcess,
  sampler: RssSampler,
  url: string,
  headers: Record<string, string>,
  size: number,
  pauseMs: number,
  filePath: string,
  route: FileRoute,
): Promise<PausedCheck> {
  const pauseAfter = Math.min(16 * MiB, Math.floor(size / 2));
  const req = request(url, { agent: false, headers });
  const reachedPause = new Promise<{ received: number; res: IncomingMessage }>((resolve, reject) => {
    req.on("error", reject);
    req.on("response", (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET ${new URL(url).pathname} answered ${res.statusCode}`));
      let received = 0;
      const onData = (chunk: Buffer) => {
        received += chunk.length;
        if (received >= pauseAfter) {
          res.off("data", onData);
          res.pause();
          resolve({ received, res });
        }
      };
      res.on("data", onData);
      res.on("error", reject);
    });
  });
  req.end();
  const { received, res } = await reachedPause;
  const rssAtPause = await sampler.reset();
  const before = await server.stats();
  await sleep(pauseMs);
  const after = await server.stats();
  const rssPeakDuringPause = Math.max(sampler.peak, await sampler.sample());
  res.on("error", () => {});
  req.on("error", () => {});
  req.destroy();
  await sleep(500);
  return {
    route,
    receivedBeforePause: received,
    pausedMs: pauseMs,
    rssAtPause,
    rssPeakDuringPause,
    serverCpuDuringPause: cpuMs(before, after) / ((after.wallNs - before.wallNs) / 1e6),
    fdsLeftOpen: openDescriptorsOn(server.pid, filePath),
  };
}

/** The server's open descriptors on `path` (Linux, /proc); null when that cannot be read. */
function openDescriptorsOn(pid: number, path: string): number | null {
  try {
    let count = 0;
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === path) count++;
      } catch {
        // closed meanwhile
      }
    }
    return count;
  } catch {
    return null;
  }
}

// ---- Server RSS sampler -----------------------------------------------------------------------

/**
 * Samples the server's RSS every 50 ms from here, reading `/proc/<pid>/status` (VmRSS), so the
 * sampling does not depend on the server's event loop; over IPC (the child's own
 * `process.memoryUsage()`) where /proc is not available. `reset()` starts a new peak.
 */
class RssSampler {
  peak = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  private constructor(
    readonly source: string,
    private readonly read: () => Promise<number>,
  ) {}

  static async start(server: ServerProcess): Promise<RssSampler> {
    const statusFile = `/proc/${server.pid}/status`;
    const fromProc = () => {
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(statusFile, "latin1"));
      if (!match) throw new Error(`no VmRSS in ${statusFile}`);
      return Number(match[1]) * 1024;
    };
    let sampler: RssSampler;
    try {
      fromProc();
      sampler = new RssSampler(`/proc/${server.pid}/status (VmRSS)`, async () => fromProc());
    } catch {
      sampler = new RssSampler("the child's process.memoryUsage() over IPC", async () => (await server.realtime()).rss);
    }
    await sampler.sample();
    sampler.timer = setInterval(() => {
      if (sampler.busy) return;
      sampler.busy = true;
      sampler
        .sample()
        .catch((error: unknown) => console.error(`RSS sample failed: ${String(error)}`))
        .finally(() => (sampler.busy = false));
    }, RSS_INTERVAL_MS);
    return sampler;
  }

  /** Takes one sample now (also counted in the peak) and returns it. */
  async sample(): Promise<number> {
    const rss = await this.read();
    this.peak = Math.max(this.peak, rss);
    return rss;
  }

  /** Starts a new peak from the RSS now; returns that RSS. */
  async reset(): Promise<number> {
    this.peak = 0;
    return this.sample();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

// ---- Helpers ----------------------------------------------------------------------------------

function cpuMs(before: { cpuUser: number; cpuSystem: number }, after: { cpuUser: number; cpuSystem: number }): number {
  return (after.cpuUser + after.cpuSystem - before.cpuUser - before.cpuSystem) / 1000;
}

const pct = (share: number) => `${Math.round(share * 100)}%`;

/** "1 GB", "64 MB", "1.5 GB" (binary units, as elsewhere in the benchmarks). */
export function fmtSize(bytes: number): string {
  if (bytes >= GiB) return `${+(bytes / GiB).toFixed(2)} GB`;
  if (bytes >= MiB) return `${+(bytes / MiB).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}

/** "1G", "1GiB", "64M", "512k", "1073741824" → bytes (binary multiples). */
export function parseSize(value: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg])?(?:i?b)?$/i.exec(value.trim());
  const unit = match?.[2]?.toLowerCase();
  const bytes = match ? Math.round(Number(match[1]) * (unit === "g" ? GiB : unit === "m" ? MiB : unit === "k" ? 1024 : 1)) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new Error(`--${name} takes a size like 1G, 64M or a number of bytes, got "${value}"`);
  return bytes;
}
