/// <reference lib="dom" />
import { existsSync } from "node:fs";
import { startTestServer, type TestServer } from "@parlor/test-support";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMBED_SECRET } from "./helpers/host-token.js";

const CHROMIUM_PATH = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run"];

/** A site on its own loopback port whose page frames `src`. */
async function framingSite(src: () => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><title>Site</title><iframe id="chat" src="${src()}"></iframe>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * The frame-ancestors list as Chromium enforces it: the embedding's own site shows the embed
 * page, another site that frames the very same URL (a `host` it copied) gets a refused frame.
 */
describe("framing /embed/<id> in Chromium", () => {
  let t: TestServer;
  let browser: Browser;
  let shop: { server: Server; origin: string };
  let evil: { server: Server; origin: string };
  const embedUrl = () => `${t.origin}/embed/shop?host=${encodeURIComponent(shop.origin)}`;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is missing at ${CHROMIUM_PATH} (apt-get install chromium)`);
    shop = await framingSite(embedUrl);
    evil = await framingSite(embedUrl);
    t = await startTestServer({ server: { webRoot: false, embeds: { shop: { secret: EMBED_SECRET, origins: [shop.origin] } } } });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    for (const site of [shop, evil]) await new Promise((resolve) => site?.server.close(resolve));
  });

  /** Loads the site's page and returns the chat frame's URL and text once it has loaded. */
  async function framedChat(origin: string): Promise<{ url: string; text: string }> {
    const page: Page = await browser.newPage();
    try {
      await page.goto(`${origin}/`, { waitUntil: "load" });
      const frame = await (await page.$("#chat"))!.contentFrame();
      const url = frame!.url();
      const text = await frame!.evaluate(() => document.body?.innerText ?? "").catch(() => "");
      return { url, text };
    } finally {
      await page.close();
    }
  }

  it("shows the embed page inside the embedding's own site", async () => {
    const { url, text } = await framedChat(shop.origin);
    expect(url).toBe(embedUrl());
    expect(text).toContain("The chat is loading.");
  });

  it("refuses the frame on a site not in the list, even with an allowed host in the URL", async () => {
    const { url, text } = await framedChat(evil.origin);
    expect(text).not.toContain("The chat is loading.");
    expect(url).toMatch(/^chrome-error:/);
  });
});
