/// <reference lib="dom" />
/**
 * A server restart in the middle of a reply, in a real browser. The server is cut hard (every
 * TCP connection destroyed, as a crash or a shutdown at the transport level does), then started
 * again on the same port and database. The page must:
 * - stop offering "Stop" and the caret as soon as the connection is gone (nothing is live);
 * - show "Reconnecting…", then reconnect by itself soon after the server is back;
 * - leave the composer usable: the next message is answered.
 * Screenshots go to test-output/screenshots/.
 *
 * Needs the built UI (`npm run build`); fails with a clear message without it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type ParlorServer } from "parlor";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import {
  e2eApp,
  eventually,
  freePort,
  launchChromium,
  requireChromium,
  requireWebBuild,
  screenshot,
  snapshotWebBuild,
  uiLogin,
  uniqueUser,
} from "./fixture.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

const SECRET = "e2e-Restart-4hQ8wLm2-Xk7cVb1Nt5-Jy3uRp9Gd6";

let browser: Browser;
let webRoot: string;
let dataDir: string;
let port: number;
let server: ParlorServer | null = null;
const connections = new Set<Socket>();

/** Starts the server on `port` and `dataDir`, remembering every TCP connection. */
async function boot(): Promise<void> {
  const started = await createServer(e2eApp(), {
    env: {},
    server: { host: "127.0.0.1", port, dataDir, authSecret: SECRET, logLevel: "silent", publicUrl: `http://localhost:${port}`, webRoot },
  });
  started.fastify.server.on("connection", (connection: Socket) => {
    connections.add(connection);
    connection.once("close", () => connections.delete(connection));
  });
  await started.fastify.listen({ host: "127.0.0.1", port });
  server = started;
}

/** A crash as the browser sees it: every connection cut at once, then the server gone. */
async function crash(): Promise<void> {
  for (const connection of connections) connection.destroy();
  await server?.close();
  server = null;
}

beforeAll(async () => {
  requireChromium();
  requireWebBuild();
  webRoot = await snapshotWebBuild();
  dataDir = mkdtempSync(join(tmpdir(), "parlor-e2e-restart-"));
  port = await freePort();
  await boot();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (webRoot) rmSync(webRoot, { recursive: true, force: true });
});

describe("a server restart during a reply", () => {
  test("the page drops Stop and the caret, shows Reconnecting…, comes back by itself, and the composer works", async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    context.setDefaultTimeout(10_000);
    try {
      const page = await context.newPage();
      const origin = `http://localhost:${port}`;
      await uiLogin(page, origin, uniqueUser("restart"));

      // A long question: its echo streams for a few seconds.
      const words = Array.from({ length: 120 }, (_, i) => `word${i}`).join(" ");
      await page.getByRole("textbox", { name: "Message" }).fill(words);
      await page.getByRole("button", { name: "Send" }).click();
      await page.waitForFunction(() => document.querySelector('[role="log"]')?.textContent?.includes("word5"));
      await page.getByRole("button", { name: "Stop" }).waitFor();
      await page.waitForURL((url) => url.pathname !== "/");

      await crash();
      await page.getByText("Reconnecting…").waitFor();
      // Nothing is live without a connection: no Stop, no caret, Send is back.
      await page.getByRole("button", { name: "Send" }).waitFor();
      expect(await page.getByRole("button", { name: "Stop" }).count()).toBe(0);
      expect(await page.locator(".message-streaming").count()).toBe(0);
      await screenshot(page, "restart-reconnecting");
      await new Promise((resolve) => setTimeout(resolve, 5_000)); // a few retries while the server is away

      await boot();
      const backAt = Date.now();
      await page.getByText("Reconnecting…").waitFor({ state: "detached", timeout: 15_000 });
      const reconnectMs = Date.now() - backAt;
      console.info(`reconnected ${reconnectMs} ms after the server was back`);
      // The retries are at most 2 s apart; 6 s leaves room for a loaded machine.
      expect(reconnectMs).toBeLessThan(6_000);

      // After the reload-free reconnection, the thread is resumed and the composer works.
      expect(await page.getByRole("button", { name: "Stop" }).count()).toBe(0);
      expect(await page.locator(".message-streaming").count()).toBe(0);
      const input = page.getByRole("textbox", { name: "Message" });
      await input.fill("back again");
      await page.getByRole("button", { name: "Send" }).click();
      await page.waitForFunction(() => document.querySelector('[role="log"]')?.textContent?.includes("You said: back again"));
      await eventually("the answer finished", async () => (await page.getByRole("button", { name: "Stop" }).count()) === 0);
      await screenshot(page, "restart-after");

      // A reload shows the same: nothing stuck.
      await page.reload();
      await page.waitForFunction(() => document.querySelector('[role="log"]')?.textContent?.includes("You said: back again"));
      expect(await page.getByRole("button", { name: "Stop" }).count()).toBe(0);
      expect(await page.getByRole("textbox", { name: "Message" }).isDisabled()).toBe(false);
    } finally {
      await context.close();
    }
  });
});
