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
import { eventually, registerCleanup } from "@parlor/test-support";
import type { Browser } from "playwright-core";
import { beforeAll, describe, expect, test, vi } from "vitest";
import { launchChromium, requireChromium, requireWebBuild, screenshot, startApp, uiLogin, uniqueUser, type AppUnderTest } from "./fixture.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

let browser: Browser;
let app: AppUnderTest;

beforeAll(async () => {
  requireChromium();
  requireWebBuild();
  // Both stop by themselves when the file ends (the kit's cleanup).
  app = await startApp({ webUi: true });
  browser = await launchChromium();
  registerCleanup(() => browser.close());
});

describe("a server restart during a reply", () => {
  test("the page drops Stop and the caret, shows Reconnecting…, comes back by itself, and the composer works", async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    context.setDefaultTimeout(10_000);
    try {
      const page = await context.newPage();
      await uiLogin(page, app.origin, uniqueUser("restart"));
      // socket.io's handshakes that fail: its retries while the server is away.
      let refusedHandshakes = 0;
      page.on("requestfailed", (request) => void (new URL(request.url()).pathname.startsWith("/socket.io/") && refusedHandshakes++));

      // A long question: its echo streams for a few seconds.
      const words = Array.from({ length: 120 }, (_, i) => `word${i}`).join(" ");
      await page.getByRole("textbox", { name: "Message" }).fill(words);
      await page.getByRole("button", { name: "Send" }).click();
      await page.waitForFunction(() => document.querySelector('[role="log"]')?.textContent?.includes("word5"));
      await page.getByRole("button", { name: "Stop" }).waitFor();
      await page.waitForURL((url) => url.pathname !== "/");

      // A crash as the browser sees it: every TCP connection cut at once, then the server gone.
      await app.down({ abrupt: true });
      const refusedBefore = refusedHandshakes;
      await page.getByText("Reconnecting…").waitFor();
      // Nothing is live without a connection: no Stop, no caret, Send is back.
      await page.getByRole("button", { name: "Send" }).waitFor();
      expect(await page.getByRole("button", { name: "Stop" }).count()).toBe(0);
      expect(await page.locator(".message-streaming").count()).toBe(0);
      await screenshot(page, "restart-reconnecting");
      await eventually("a few retries while the server is away", () => refusedHandshakes - refusedBefore >= 3, 15_000);

      await app.up();
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
