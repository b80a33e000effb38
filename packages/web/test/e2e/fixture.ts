/// <reference lib="dom" />
/**
 * Shared fixture of the browser end-to-end suite: a real Parlor server on loopback, a real
 * Chromium driven by playwright-core, and an "attacker" HTTP server on another origin.
 *
 * - The app is served at `http://localhost:<port>` (its public URL, so the session cookie is
 *   `Secure` + `__Host-`, which browsers allow on loopback), listening on 127.0.0.1.
 * - The attacker server listens on 127.0.0.1 too; opened as `http://127.0.0.1:<port>` it is
 *   cross-site to the app, opened as `http://localhost:<port>` it is same-site but
 *   cross-origin (cookies are not bound to ports, so that page's requests carry the cookie).
 * - One Chromium per test file, a fresh context per test (closed after it).
 *
 * Nothing here skips: a missing Chromium or a missing web build fails the suite with a
 * message that says what to do.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { echoApp, registerCleanup, sleep, startTestServer, type PathProxy, type TestServer } from "@parlor/test-support";
import type { ServerOptions } from "parlor";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, "../../../..");
export const WEB_DIST = join(REPO_ROOT, "packages/web/dist");
export const SCREENSHOT_DIR = join(REPO_ROOT, "test-output/screenshots");
export const CHROMIUM_PATH = "/usr/bin/chromium";
export const DEMO_PASSWORD = "demo";
/** Delay between streamed pieces of a reply: slow enough to see partial texts. */
export const WORD_DELAY_MS = 30;

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

// ---------------------------------------------------------------------------------------
// Preconditions

/** Fails (never skips) when the browser is not installed. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `E2E: Chromium is missing at ${CHROMIUM_PATH}. Install it with \`apt-get install chromium\` ` +
        "(Debian's package; `npx playwright install` cannot download browsers here).",
    );
  }
}

/** Fails (never skips) when the web UI has not been built. */
export function requireWebBuild(): void {
  if (!existsSync(join(WEB_DIST, "index.html"))) {
    throw new Error(
      `E2E: the web UI is not built: ${join(WEB_DIST, "index.html")} does not exist. ` +
        "Run `npm run build` at the repository root (it builds packages/web into packages/web/dist) before the E2E tests.",
    );
  }
}

/**
 * A private copy of the web build for one server. The server reads index.html once at
 * start-up, and a rebuild while the tests run (vite empties dist/ and renames the hashed
 * assets) would leave it pointing at files that are gone. A copy taken in the middle of a
 * build is detected (index.html names a missing asset) and taken again.
 */
export async function snapshotWebBuild(): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    requireWebBuild();
    const copy = mkdtempSync(join(tmpdir(), "parlor-e2e-web-"));
    let missing: string[];
    try {
      cpSync(WEB_DIST, copy, { recursive: true });
      const html = readFileSync(join(copy, "index.html"), "utf8");
      // Relative (`./assets/…`, `theme-init.js`: the build's base is "./") or root-relative.
      const references = [...html.matchAll(/\s(?:src|href)="(?:\.?\/)?([^"?#:]+)"/g)].map((match) => match[1]!);
      missing = references.filter((path) => !existsSync(join(copy, path)));
    } catch (error) {
      missing = [String(error)];
    }
    if (missing.length === 0) return copy;
    rmSync(copy, { recursive: true, force: true });
    if (attempt === 10) {
      throw new Error(
        `E2E: the web build in ${WEB_DIST} is incomplete (index.html refers to ${missing.join(", ")}, which is missing). ` +
          "Is a build running? Run `npm run build` and try again.",
      );
    }
    await sleep(500); // a build is being written: poll again shortly (there is no event to wait for)
  }
}

/** `extraArgs`: more Chromium flags, e.g. `--test-third-party-cookie-phaseout` (third-party cookies blocked). */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  requireChromium();
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

// ---------------------------------------------------------------------------------------
// The app under test

/** Like the demo: any username with the password "demo"; echoes "You said: <message>" piece by piece. */
export function e2eApp() {
  return echoApp({
    name: "Parlor E2E",
    password: DEMO_PASSWORD,
    displayName: (username) => username,
    prefix: "You said: ",
    pieces: "exact",
    pieceDelayMs: WORD_DELAY_MS,
    stopOnAbort: true,
  });
}

/** The kit's test server, with the name the browser's cookie has. */
export interface AppUnderTest extends TestServer {
  readonly cookieName: string;
}

export interface StartAppOptions {
  /**
   * Serve the built web UI from packages/web/dist (required to exist; served from a private
   * copy, see `snapshotWebBuild`). `false` runs the server API-only: for the tests that drive
   * the API from a page and need no UI.
   */
  webUi: boolean;
  /** The app; default `e2eApp()`. */
  app?: ReturnType<typeof e2eApp>;
  /**
   * More server options (`webRoot` stays the fixture's). A function is called when the server
   * starts, for options that depend on something an earlier `beforeAll` started (a host site's origin).
   */
  server?: ServerOptions | (() => ServerOptions);
  /** More Chromium flags for the file's browser. */
  chromiumArgs?: readonly string[];
}

/**
 * The E2E app on the kit's test server, at `http://localhost:<port>` (its public URL, so the
 * session cookie is `Secure` + `__Host-`, which browsers allow on loopback), listening on
 * 127.0.0.1. Stopped, with its copy of the web build removed, when the file (or test) ends.
 */
export async function startApp({ webUi, app, server: serverOptions }: StartAppOptions): Promise<AppUnderTest> {
  const webRoot = webUi ? await snapshotWebBuild() : false;
  if (webRoot) registerCleanup(() => rmSync(webRoot, { recursive: true, force: true }));
  const more = typeof serverOptions === "function" ? serverOptions() : serverOptions;
  const server = await startTestServer({ app: app ?? e2eApp(), publicHostname: "localhost", server: { ...more, webRoot } });
  return Object.defineProperty(server, "cookieName", { get: () => server.server.config.cookie.name }) as AppUnderTest;
}

/**
 * The E2E app with the web UI behind `proxy` at `prefix` (`/chat`): its public URL is
 * `<proxy origin><prefix>/`, the proxy forwards the path unchanged. `options.server` adds
 * server options, e.g. `embeds` (`webRoot` and `publicUrl` stay the fixture's). Stopped, with
 * its copy of the web build removed, when the file (or test) ends.
 */
export async function startAppBehindProxy(proxy: PathProxy, prefix: string, options: Pick<StartAppOptions, "app" | "server"> = {}): Promise<AppUnderTest> {
  const webRoot = await snapshotWebBuild();
  registerCleanup(() => rmSync(webRoot, { recursive: true, force: true }));
  const more = typeof options.server === "function" ? options.server() : options.server;
  const server = await startTestServer({
    app: options.app ?? e2eApp(),
    publicHostname: "localhost",
    server: { ...more, webRoot, publicUrl: `${proxy.origin}${prefix}/` },
  });
  proxy.route(prefix, server.port);
  return Object.defineProperty(server, "cookieName", { get: () => server.server.config.cookie.name }) as AppUnderTest;
}

// ---------------------------------------------------------------------------------------
// Per-file setup: one browser, one server, fresh contexts

export interface E2E {
  readonly app: AppUnderTest;
  readonly browser: Browser;
  /** A fresh browser context, closed after the test. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** A new page in a fresh context. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
}

/** Registers the hooks of an E2E test file and gives access to its server and browser. */
export function useE2E(options: StartAppOptions): E2E {
  let app: AppUnderTest | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  // A missing precondition fails every test of the file with its message (a failing
  // beforeAll alone would only mark them skipped).
  let setupError: unknown = null;
  beforeAll(async () => {
    try {
      requireChromium();
      if (options.webUi) requireWebBuild();
      const [launched, started] = await Promise.allSettled([launchChromium(options.chromiumArgs), startApp(options)]);
      if (launched.status === "fulfilled") browser = launched.value;
      if (started.status === "fulfilled") app = started.value;
      if (launched.status === "rejected") throw launched.reason;
      if (started.status === "rejected") throw started.reason;
    } catch (error) {
      setupError = error;
    }
  });
  beforeEach(() => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what the setup caught, as it was
    if (setupError !== null) throw setupError;
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close().catch(() => {})));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const e2e: E2E = {
    get app() {
      if (!app) throw new Error("E2E: the app did not start (see the beforeAll error)");
      return app;
    },
    get browser() {
      if (!browser) throw new Error("E2E: the browser did not start (see the beforeAll error)");
      return browser;
    },
    async newContext(contextOptions = {}) {
      const context = await e2e.browser.newContext(contextOptions);
      // Fail with Playwright's precise message well before the test's own timeout.
      context.setDefaultTimeout(10_000);
      contexts.push(context);
      return context;
    },
    async newPage(contextOptions = {}) {
      return (await e2e.newContext(contextOptions)).newPage();
    },
  };
  return e2e;
}

// ---------------------------------------------------------------------------------------
// Browser-side helpers

let userCounter = 0;
/** A username no other test uses, so database assertions can be scoped to it. */
export function uniqueUser(prefix: string): string {
  return `${prefix}-${process.pid}-${++userCounter}-${Math.random().toString(36).slice(2, 7)}`;
}

/** Logs in through the UI's login page and waits for the chat page. */
export async function uiLogin(page: Page, origin: string, username: string): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname !== "/login");
  await page.getByRole("textbox", { name: "Message" }).waitFor();
}

/** A document on the app's origin that is not the UI: for API calls from the page. */
export async function openAppOrigin(page: Page, origin: string): Promise<void> {
  const response = await page.goto(`${origin}/healthz`);
  if (response?.status() !== 200) throw new Error(`GET ${origin}/healthz answered ${response?.status()}`);
}

export interface PageResponse<T = any> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

/** `fetch` from the page (same-origin, cookie attached by the browser). */
export async function pageFetch<T = any>(
  page: Page,
  path: string,
  init: { method?: string; json?: unknown; csrfToken?: string } = {},
): Promise<PageResponse<T>> {
  const response = await page.evaluate(
    async ({ path, init }) => {
      const headers: Record<string, string> = {};
      if (init.json !== undefined) headers["content-type"] = "application/json";
      if (init.csrfToken) headers["x-csrf-token"] = init.csrfToken;
      const response = await fetch(path, {
        method: init.method ?? "GET",
        headers,
        body: init.json === undefined ? undefined : JSON.stringify(init.json),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // not JSON
      }
      return { status: response.status, headers: Object.fromEntries(response.headers), body };
    },
    { path, init },
  );
  return response as PageResponse<T>;
}

/** Logs in with a `fetch` from an app-origin page, as the UI would; returns the CSRF token. */
export async function apiLogin(page: Page, username: string): Promise<string> {
  const response = await pageFetch(page, "/auth/login", { method: "POST", json: { username, password: DEMO_PASSWORD } });
  if (response.status !== 200) throw new Error(`login from the page failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.csrfToken as string;
}

/** Uploads a file with `fetch` + FormData from an app-origin page; returns the file info. */
export async function pageUpload(
  page: Page,
  csrfToken: string,
  file: { name: string; type: string; content: string | Buffer },
): Promise<{ status: number; body: any }> {
  const bytes = Buffer.isBuffer(file.content) ? [...file.content] : [...Buffer.from(file.content, "utf8")];
  return page.evaluate(
    async ({ csrfToken, name, type, bytes }) => {
      const form = new FormData();
      form.append("file", new File([new Uint8Array(bytes)], name, { type }));
      const response = await fetch("/api/files", { method: "POST", headers: { "x-csrf-token": csrfToken }, body: form });
      return { status: response.status, body: await response.json() };
    },
    { csrfToken, name: file.name, type: file.type, bytes },
  );
}

/** Chromium's own user agent with a marker, so a sessions list can tell contexts apart. */
export async function userAgentWith(browser: Browser, marker: string): Promise<string> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    return `${await page.evaluate(() => navigator.userAgent)} ${marker}`;
  } finally {
    await context.close();
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// ---------------------------------------------------------------------------------------
// Server-side state

export interface UserState {
  userId: string | null;
  sessions: Array<{ id: string; revoked: boolean; userAgent: string | null }>;
  threads: number;
  messages: Array<{ role: string; content: string; status: string }>;
  files: Array<{ id: string; mime: string; name: string; messageId: string | null }>;
}

/** What the database holds for one user. */
export async function userState(app: AppUnderTest, identifier: string): Promise<UserState> {
  const db = app.server.db;
  const user = await db.selectFrom("users").select("id").where("identifier", "=", identifier).executeTakeFirst();
  if (!user) return { userId: null, sessions: [], threads: 0, messages: [], files: [] };
  const sessions = await db.selectFrom("sessions").selectAll().where("user_id", "=", user.id).orderBy("created_at").execute();
  const threads = await db.selectFrom("threads").select("id").where("user_id", "=", user.id).execute();
  const messages = threads.length
    ? await db
        .selectFrom("messages")
        .select(["role", "content", "status", "created_at"])
        .where(
          "thread_id",
          "in",
          threads.map((thread) => thread.id),
        )
        .orderBy("created_at")
        .execute()
    : [];
  const files = await db.selectFrom("files").selectAll().where("user_id", "=", user.id).execute();
  return {
    userId: user.id,
    sessions: sessions.map((row) => ({ id: row.id, revoked: row.revoked_at !== null, userAgent: row.user_agent })),
    threads: threads.length,
    messages: messages.map(({ role, content, status }) => ({ role, content, status })),
    files: files.map((row) => ({ id: row.id, mime: row.mime, name: row.name, messageId: row.message_id })),
  };
}

/** Row counts of the whole database: an attack must not change them. */
export async function tableCounts(app: AppUnderTest): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ["users", "sessions", "threads", "messages", "files"] as const) {
    const row = await app.server.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

// ---------------------------------------------------------------------------------------
// The attacker's server

export interface Hit {
  method: string;
  /** Path and query. */
  url: string;
  host: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface AttackerServer {
  port: number;
  /** `http://127.0.0.1:<port>`: cross-site to the app. */
  crossSiteOrigin: string;
  /** `http://localhost:<port>`: same site as the app (localhost), another origin (port). */
  sameSiteOrigin: string;
  /** Every request it received, pages included. */
  hits: Hit[];
  /** Requests to `/collect/...`: what a script that got to run would send. */
  exfiltrated(): Hit[];
  /** Serves an HTML page at `path`. */
  page(path: string, html: string): void;
  close(): Promise<void>;
}

/**
 * A tiny HTTP server standing for another site: serves pages, socket.io's browser client at
 * `/socket.io.min.js`, and records every request (`/collect/*` is the exfiltration sink).
 */
export async function startAttacker(): Promise<AttackerServer> {
  const pages = new Map<string, string>();
  const hits: Hit[] = [];
  const socketIoClient = readFileSync(join(REPO_ROOT, "node_modules/socket.io-client/dist/socket.io.min.js"));
  const server = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = request.url ?? "/";
      hits.push({
        method: request.method ?? "GET",
        url,
        host: request.headers.host ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      const path = url.split("?")[0]!;
      // Anyone may read what this server says (it is the attacker's).
      response.setHeader("access-control-allow-origin", "*");
      if (path === "/socket.io.min.js") {
        response.writeHead(200, { "content-type": "text/javascript" }).end(socketIoClient);
      } else if (pages.has(path)) {
        response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(pages.get(path));
      } else {
        response.writeHead(path.startsWith("/collect") ? 204 : 404).end();
      }
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    crossSiteOrigin: `http://127.0.0.1:${port}`,
    sameSiteOrigin: `http://localhost:${port}`,
    hits,
    exfiltrated: () => hits.filter((hit) => hit.url.startsWith("/collect")),
    page: (path, html) => void pages.set(path, html),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

// ---------------------------------------------------------------------------------------
// Small utilities

/** A valid RGB PNG of the given size (a colour gradient), made without any image library. */
export function makePng(width: number, height: number): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = Math.round((255 * x) / Math.max(1, width - 1));
      row[2 + x * 3] = Math.round((255 * y) / Math.max(1, height - 1));
      row[3 + x * 3] = 160;
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(Buffer.concat(rows))),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
