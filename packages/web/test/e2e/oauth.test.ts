/// <reference lib="dom" />
/**
 * OAuth / OpenID Connect login in a real browser: the login page shows a button per provider
 * from /auth/config; clicking it goes to a real OpenID provider (oidc-provider on loopback),
 * the user signs in on the provider's own page, and lands back in the chat, logged in, with
 * a working chat connection.
 *
 * Needs the built UI (`npm run build`) and Chromium at /usr/bin/chromium; fails without them.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, defineApp, type ParlorServer } from "parlor";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { startOidcProvider, type TestOidcProvider } from "../../../server/test/helpers/oidc-provider.js";
import { freePort, launchChromium, requireChromium, requireWebBuild, screenshot, WEB_DIST } from "./fixture.js";

vi.setConfig({ testTimeout: 40_000, hookTimeout: 30_000 });

const CLIENT_ID = "parlor-e2e";
const CLIENT_SECRET = "e2e-client-secret-0123456789-abcdef";

describe("OAuth login in the browser", () => {
  let browser: Browser | undefined;
  let provider: TestOidcProvider | undefined;
  let server: ParlorServer | undefined;
  let origin = "";
  const cleanups: Array<() => void> = [];

  beforeAll(async () => {
    requireChromium();
    requireWebBuild();
    // A private copy of the build: a rebuild while the test runs must not pull files away.
    const webRoot = mkdtempSync(join(tmpdir(), "parlor-e2e-oauth-web-"));
    cpSync(WEB_DIST, webRoot, { recursive: true });
    const dataDir = mkdtempSync(join(tmpdir(), "parlor-e2e-oauth-"));
    cleanups.push(
      () => rmSync(webRoot, { recursive: true, force: true }),
      () => rmSync(dataDir, { recursive: true, force: true }),
    );

    const port = await freePort();
    origin = `http://localhost:${port}`;
    provider = await startOidcProvider({
      clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [`${origin}/auth/oauth/test/callback`] }],
    });
    const app = defineApp({
      name: "Parlor OAuth E2E",
      auth: { oauth: {} },
      async onMessage(message, chat) {
        await chat.send(`You said: ${message.content}`);
      },
    });
    server = await createServer(app, {
      env: {
        PARLOR_OAUTH_TEST_CLIENT_ID: CLIENT_ID,
        PARLOR_OAUTH_TEST_CLIENT_SECRET: CLIENT_SECRET,
        PARLOR_OAUTH_TEST_ISSUER: provider.issuer,
        PARLOR_OAUTH_TEST_NAME: "Test IdP",
      },
      server: {
        host: "127.0.0.1",
        port,
        dataDir,
        authSecret: "e2e-oauth-Secret-7fQ2xLw9-Zk3vBn8Rt1-Hy6uJm4",
        logLevel: "silent",
        publicUrl: origin,
        webRoot,
      },
    });
    await server.fastify.listen({ host: "127.0.0.1", port });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await provider?.close();
    for (const cleanup of cleanups) cleanup();
  });

  test("click the provider's button, sign in at the provider, land in the chat logged in", async () => {
    const context = await browser!.newContext();
    context.setDefaultTimeout(10_000);
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      await page.waitForURL((url) => url.pathname === "/login");

      await page.getByRole("button", { name: "Continue with Test IdP" }).click();
      // The provider's own sign-in page, on the provider's origin.
      await page.waitForURL((url) => url.origin === provider!.issuer);
      await page.locator('input[name="login"]').fill("alice");
      await page.locator('input[name="password"]').fill("any password");
      await page.getByRole("button", { name: "Sign-in" }).click();

      // Back in the app, logged in, in the chat.
      await page.waitForURL((url) => url.origin === origin && url.pathname !== "/login");
      const input = page.getByRole("textbox", { name: "Message" });
      await input.waitFor();
      await screenshot(page, "oauth-logged-in");

      const me = await page.evaluate(async () => (await fetch("/auth/me")).json());
      expect(me.user).toMatchObject({ identifier: "test:alice", displayName: "Test alice" });
      // The flow cookie is gone; the session cookie is HttpOnly: the page sees neither.
      const cookies = await context.cookies(origin);
      expect(cookies.map((cookie) => cookie.name)).toEqual([server!.config.cookie.name]);
      expect(cookies[0]).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax" });
      expect(await page.evaluate(() => document.cookie)).toBe("");

      // The session works for the chat too.
      await input.fill("hello over oauth");
      await page.getByRole("button", { name: "Send" }).click();
      await page.waitForFunction(() => document.querySelector('[role="log"]')?.textContent?.includes("You said: hello over oauth"));
    } finally {
      await context.close();
    }
  });

  test("a login the provider refused comes back to the login page with a readable message", async () => {
    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      // What the callback redirects to when the user cancels at the provider.
      await page.goto(`${origin}/login?error=oauth_denied`);
      const alert = page.getByRole("alert");
      await alert.waitFor();
      expect(await alert.textContent()).toContain("Sign-in was cancelled at the provider.");
      expect(new URL(page.url()).search).toBe(""); // taken off the URL: a reload does not show it again
    } finally {
      await context.close();
    }
  });
});
