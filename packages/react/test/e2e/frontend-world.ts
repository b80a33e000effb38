/// <reference lib="dom" />
/**
 * The separate-frontend fixture: a real Parlor, a page server on other origins, and Chromium.
 *
 * - Parlor (the kit's test server with the echo app) at `http://localhost:<p2>`, with
 *   `allowedOrigins` = the frontend's two names and an embedding `shop` for bearer mode;
 * - the frontend's page server on `<p1>`, serving `frontend-app.tsx` bundled with the built
 *   @parlor/react (packages/react/dist, so `npm run build` first) under a strict CSP, and
 *   minting host tokens at `/parlor-token` as the site's backend would. Opened as
 *   `http://localhost:<p1>` it is same-site with Parlor (cookie mode), as
 *   `http://127.0.0.1:<p1>` another site (bearer mode);
 * - a foreign page server at `http://localhost:<p3>`: same site as Parlor but not allowed,
 *   serving the same frontend (to see the refusal it gets) and a blank page without CSP for
 *   an attacker's scripts.
 *
 * Nothing skips: a missing Chromium or build fails with what to do.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { echoApp, startTestServer, type TestServer } from "@parlor/test-support";
import { SignJWT } from "jose";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, afterEach, beforeAll } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const REACT_DIST = resolve(here, "../../dist/index.js");
const CHROMIUM_PATH = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run"];
export const PASSWORD = "demo";
export const EMBED_SECRET = "frontend-embed-secret-0123456789-abcdefghij";
/** The host site's logged-in user, as its backend names it in host tokens (`sub`). */
export const HOST_USER = "reader-7";

/** Bundles the frontend with the built @parlor/react, React in production mode, as one classic script. */
async function buildFrontend(): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: "silent",
    mode: "production",
    // React's production JSX runtime (vitest's NODE_ENV=test would pick the development one).
    oxc: { jsx: { runtime: "automatic", development: false } },
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
    build: {
      write: false,
      minify: false,
      lib: { entry: join(here, "frontend-app.tsx"), formats: ["iife"], name: "Frontend" },
    },
  });
  for (const output of Array.isArray(result) ? result : [result]) {
    if ("output" in output) {
      const chunk = output.output.find((item) => item.type === "chunk");
      if (chunk && chunk.type === "chunk") return chunk.code;
    }
  }
  throw new Error("E2E: bundling frontend-app.tsx produced no script");
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { server, port: (server.address() as AddressInfo).port };
}

export interface FrontendWorld {
  parlor: TestServer;
  /** `http://localhost:<p1>`: the frontend on Parlor's site (cookie mode); allowed. */
  sameSiteOrigin: string;
  /** `http://127.0.0.1:<p1>`: the frontend on another site (bearer mode); allowed. */
  crossSiteOrigin: string;
  /** `http://localhost:<p3>`: same site as Parlor, not in `allowedOrigins`. */
  foreignOrigin: string;
  /** Host tokens `/parlor-token` handed out. */
  issuedTokens: string[];
  browser: Browser;
  /** A fresh context (closed after the test). */
  newContext(): Promise<BrowserContext>;
  /** Opens the frontend at `origin` (`mode=bearer` for bearer mode) and waits for its first auth state. */
  openFrontend(page: Page, origin: string, mode?: "cookie" | "bearer", server?: string): Promise<void>;
}

export function useFrontendWorld(): FrontendWorld {
  const world = { issuedTokens: [] as string[] } as FrontendWorld;
  const servers: Server[] = [];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    if (!existsSync(REACT_DIST)) throw new Error(`E2E: ${REACT_DIST} does not exist. Run \`npm run build\` at the repository root first.`);
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`E2E: Chromium is missing at ${CHROMIUM_PATH} (apt-get install chromium).`);
    const script = await buildFrontend();

    const pageServer = (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) =>
        res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers }).end(body);
      if (url.pathname === "/app.js") return send(200, "text/javascript", script);
      if (url.pathname === "/blank") return send(200, "text/html", "<!doctype html><title>Blank</title>");
      if (url.pathname === "/parlor-token") {
        // The site's backend: its logged-in user, for Parlor's origin, valid 2 minutes, single use.
        void mintHostToken(world.parlor.origin, world.parlor.clock.now()).then((token) => {
          world.issuedTokens.push(token);
          send(200, "text/plain", token);
        });
        return;
      }
      if (url.pathname === "/") {
        const parlor = world.parlor.origin;
        // A careful site's CSP: no inline script or style; connections and images to Parlor only.
        const csp = `default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ${parlor} ${parlor.replace(/^http/, "ws")}; img-src ${parlor}`;
        return send(200, "text/html", '<!doctype html><html lang="en"><title>Frontend</title><div id="root"></div><script src="/app.js"></script>', {
          "content-security-policy": csp,
        });
      }
      send(404, "text/plain", "not found");
    };
    const frontend = await listen(pageServer);
    const foreign = await listen(pageServer);
    servers.push(frontend.server, foreign.server);
    world.sameSiteOrigin = `http://localhost:${frontend.port}`;
    world.crossSiteOrigin = `http://127.0.0.1:${frontend.port}`;
    world.foreignOrigin = `http://localhost:${foreign.port}`;

    world.parlor = await startTestServer({
      app: echoApp({ password: PASSWORD, prefix: "You said: ", pieces: "exact" }),
      publicHostname: "localhost",
      server: { allowedOrigins: [world.sameSiteOrigin, world.crossSiteOrigin], logLevel: "warn" },
      env: { PARLOR_EMBED_SHOP_SECRET: EMBED_SECRET, PARLOR_EMBED_SHOP_ORIGINS: world.crossSiteOrigin },
      captureLogs: true,
    });
    world.browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  });

  afterEach(async () => {
    world.issuedTokens.length = 0;
    await Promise.all(contexts.splice(0).map((context) => context.close().catch(() => undefined)));
  });

  afterAll(async () => {
    await world.browser?.close();
    await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  });

  world.newContext = async () => {
    const context = await world.browser.newContext();
    // Under the test's own timeout, so a stuck step fails with Playwright's account of what it waited for.
    context.setDefaultTimeout(10_000);
    contexts.push(context);
    return context;
  };
  world.openFrontend = async (page, origin, mode = "cookie", server = world.parlor.origin) => {
    // The page's own errors (a script the CSP refused, an exception) would otherwise only show as a timeout.
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(String(error)));
    page.on("console", (message) => void (message.type() === "error" && problems.push(message.text())));
    await page.goto(`${origin}/?server=${encodeURIComponent(server)}&mode=${mode}`);
    try {
      await page.waitForFunction(() => ["authenticated", "unauthenticated"].includes(document.getElementById("status")?.textContent ?? ""));
    } catch (error) {
      throw new Error(`the frontend at ${origin} did not start: ${problems.join("; ") || "no error in the page"}`, { cause: error });
    }
  };
  return world;
}

/** A host token as the site's backend mints it (server README, "Host tokens"). */
function mintHostToken(audience: string, nowMs: number): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ name: "Reader Seven" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer("shop")
    .setAudience(audience)
    .setSubject(HOST_USER)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 120)
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(EMBED_SECRET));
}
