/// <reference lib="dom" />
/**
 * The widget's browser fixture: three loopback HTTP servers and a real Chromium.
 *
 * - the host page, `http://127.0.0.1:<p1>`: a shop that loads widget.js and mints host tokens
 *   at `/parlor-token` (each one unique, so a test can look for it anywhere);
 * - a fake Parlor, `http://localhost:<p2>`: serves the built `dist/widget.js` and `/embed/shop`,
 *   a page running `fake-embed-frame.ts` (the iframe end of the protocol); like the real server
 *   it refuses a `host` that is not the embedding's and sends `frame-ancestors` with it;
 * - a foreign origin, `http://localhost:<p3>`: an "ad" the host page frames, which tries to
 *   talk to the widget and the chat iframe.
 *
 * Nothing skips: a missing Chromium or a missing build fails with what to do.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
export const WIDGET_DIST = resolve(here, "../../dist/widget.js");
const PROTOCOL_SRC = resolve(here, "../../../protocol/src/index.ts");
const CHROMIUM_PATH = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run"];

export function requireWidgetBuild(): void {
  if (!existsSync(WIDGET_DIST)) {
    throw new Error(`E2E: ${WIDGET_DIST} does not exist. Run \`npm run build\` at the repository root (or \`npm run build -w @parlor/widget\`) first.`);
  }
}

/** Bundles the fake iframe script (TypeScript importing @parlor/protocol) to one classic script. */
async function buildFakeFrame(): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: "silent",
    resolve: { alias: { "@parlor/protocol": PROTOCOL_SRC } },
    build: {
      write: false,
      minify: false,
      lib: { entry: join(here, "fake-embed-frame.ts"), formats: ["iife"], name: "FakeEmbedFrame" },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  for (const output of outputs) {
    if ("output" in output) {
      const chunk = output.output.find((item) => item.type === "chunk");
      if (chunk && chunk.type === "chunk") return chunk.code;
    }
  }
  throw new Error("E2E: building fake-embed-frame.ts produced no script");
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { server, port: (server.address() as AddressInfo).port };
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers });
  res.end(body);
}

export interface WidgetWorld {
  hostOrigin: string;
  parlorOrigin: string;
  foreignOrigin: string;
  /** Every token `/parlor-token` handed out, in order. */
  issuedTokens: string[];
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Opens the host page (`?ad=1` adds the foreign iframe) and waits for `window.Parlor`. */
  openHostPage(query?: string): Promise<void>;
  /** The chat iframe, once it has loaded. */
  chatFrame(): Promise<Frame>;
  /** Waits until the chat iframe holds a port (the handshake is done). */
  connectedChatFrame(connects?: number): Promise<Frame>;
  foreignFrame(): Promise<Frame>;
}

/** Sets up the servers and the browser for a test file; `world` is filled before each test. */
export function useWidgetWorld(): WidgetWorld {
  const world = { issuedTokens: [] as string[] } as WidgetWorld;
  const servers: Server[] = [];

  beforeAll(async () => {
    requireWidgetBuild();
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`E2E: Chromium is missing at ${CHROMIUM_PATH} (apt-get install chromium).`);
    const fakeFrame = await buildFakeFrame();

    const parlor = await listen((req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname === "/widget.js") return send(res, 200, "text/javascript", readFileSync(WIDGET_DIST, "utf8"));
      if (url.pathname === "/embed-frame.js") return send(res, 200, "text/javascript", fakeFrame);
      if (url.pathname === "/embed/shop") {
        // What the real server will do: the host must be one of the embedding's origins.
        if (url.searchParams.get("host") !== world.hostOrigin) {
          return send(res, 403, "application/json", JSON.stringify({ error: { code: "forbidden", message: "host not allowed" } }));
        }
        return send(res, 200, "text/html", '<!doctype html><title>Chat</title><p id="status">connecting</p><script src="/embed-frame.js"></script>', {
          "content-security-policy": `frame-ancestors ${world.hostOrigin}`,
        });
      }
      send(res, 404, "application/json", JSON.stringify({ error: { code: "not_found", message: "not found" } }));
    });
    const foreign = await listen((_req, res) => send(res, 200, "text/html", "<!doctype html><title>Ad</title><p>an ad</p>"));
    const host = await listen((req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname === "/parlor-token") {
        const token = `eyJhbGciOiJIUzI1NiJ9.host-token-${world.issuedTokens.length + 1}-${Math.random().toString(36).slice(2)}.c2ln`;
        world.issuedTokens.push(token);
        return send(res, 200, "text/plain", `${token}\n`);
      }
      if (url.pathname === "/") {
        const ad = url.searchParams.has("ad") ? `<iframe id="ad" title="Ad" src="${world.foreignOrigin}/ad"></iframe>` : "";
        // A strict CSP, as a careful shop would send: the widget must work without inline
        // script or style.
        const csp = `default-src 'self'; script-src 'self' ${world.parlorOrigin}; style-src 'self'; frame-src ${world.parlorOrigin} ${world.foreignOrigin}`;
        return send(
          res,
          200,
          "text/html",
          `<!doctype html><html lang="en"><title>Shop</title><h1>Shop</h1><button id="buy">Buy</button><div id="chat-box"></div>${ad}` +
            `<script src="${world.parlorOrigin}/widget.js"></script>`,
          { "content-security-policy": csp },
        );
      }
      send(res, 404, "text/plain", "not found");
    });
    servers.push(parlor.server, foreign.server, host.server);
    world.hostOrigin = `http://127.0.0.1:${host.port}`;
    world.parlorOrigin = `http://localhost:${parlor.port}`;
    world.foreignOrigin = `http://localhost:${foreign.port}`;
    world.browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await world.browser?.close();
    await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  });

  beforeEach(async () => {
    world.issuedTokens.length = 0;
    world.context = await world.browser.newContext();
    // Under the test's own timeout, so a stuck step fails with Playwright's account of what it waited for.
    world.context.setDefaultTimeout(10_000);
    world.page = await world.context.newPage();
  });

  afterEach(async () => {
    await world.context?.close();
  });

  world.openHostPage = async (query = "") => {
    await world.page.goto(`${world.hostOrigin}/${query}`);
    await world.page.waitForFunction(() => typeof window.Parlor === "object");
  };
  world.chatFrame = async () => {
    const handle = await world.page.waitForSelector("[data-parlor-widget] >> iframe", { state: "attached" });
    const frame = await handle.contentFrame();
    if (frame === null) throw new Error("the chat iframe has no frame");
    await frame.waitForFunction(() => "fakeChat" in window);
    return frame;
  };
  world.connectedChatFrame = async (connects = 1) => {
    const frame = await world.chatFrame();
    await frame.waitForFunction((n) => (window as unknown as FakeWindow).fakeChat.state.connects >= n, connects);
    return frame;
  };
  world.foreignFrame = async () => {
    const handle = await world.page.waitForSelector("#ad");
    const frame = await handle.contentFrame();
    if (frame === null) throw new Error("the ad iframe has no frame");
    await frame.waitForLoadState();
    return frame;
  };
  return world;
}

/** `window` in the fake chat frame, for `frame.evaluate`. */
export interface FakeWindow {
  fakeChat: {
    state: {
      connects: number;
      ignoredWindowMessages: number;
      invalidPortMessages: number;
      tokens: string[];
      tokenErrors: { code: string; message: string }[];
      sentMessages: string[];
      visibility: boolean[];
    };
    requestToken(): Promise<string>;
    callClient(name: string, args: unknown, options?: { timeout?: number }): Promise<unknown>;
    raw(message: Record<string, unknown>): void;
    awaitResult(callId: string): Promise<unknown>;
  };
}

declare global {
  interface Window {
    Parlor?: import("../../src/parlor-api.js").ParlorApi;
  }
}
