/// <reference lib="dom" />
/**
 * OAuth / OpenID Connect login in a real browser: the login page shows a button per provider
 * from /auth/config; clicking it goes to a real OpenID provider (oidc-provider on loopback),
 * the user signs in on the provider's own page, and lands back in the chat, logged in, with
 * a working chat connection.
 *
 * Needs the built UI (`npm run build`) and Chromium at /usr/bin/chromium; fails without them.
 */
import { rmSync } from "node:fs";
import { echoApp, freePort, registerCleanup, startOidcProvider, startTestServer, type TestOidcProvider, type TestServer } from "@parlor/test-support";
import type { Browser } from "playwright-core";
import { beforeAll, describe, expect, test, vi } from "vitest";
import { launchChromium, requireChromium, requireWebBuild, screenshot, snapshotWebBuild } from "./fixture.js";

vi.setConfig({ testTimeout: 40_000, hookTimeout: 30_000 });

const CLIENT_ID = "parlor-e2e";
const CLIENT_SECRET = "e2e-client-secret-0123456789-abcdef";

describe("OAuth login in the browser", () => {
  // The browser, the provider and the server stop by themselves when the file ends (the kit's cleanup).
  let browser: Browser | undefined;
  let provider: TestOidcProvider | undefined;
  let app: TestServer | undefined;
  let origin = "";

  beforeAll(async () => {
    requireChromium();
    requireWebBuild();
    // A private copy of the build: a rebuild while the test runs must not pull files away.
    const webRoot = await snapshotWebBuild();
    registerCleanup(() => rmSync(webRoot, { recursive: true, force: true }));

    // The provider must know the callback URL, so the port is picked first.
    const port = await freePort();
    origin = `http://localhost:${port}`;
    provider = await startOidcProvider({
      clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [`${origin}/auth/oauth/test/callback`] }],
    });
    app = await startTestServer({
      app: echoApp({ name: "Parlor OAuth E2E", auth: { oauth: {} }, prefix: "You said: ", pieces: "exact" }),
      port,
      publicHostname: "localhost",
      env: {
        PARLOR_OAUTH_TEST_CLIENT_ID: CLIENT_ID,
        PARLOR_OAUTH_TEST_CLIENT_SECRET: CLIENT_SECRET,
        PARLOR_OAUTH_TEST_ISSUER: provider.issuer,
        PARLOR_OAUTH_TEST_NAME: "Test IdP",
      },
      server: { webRoot },
    });
    browser = await launchChromium();
    registerCleanup(() => browser?.close());
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
      expect(cookies.map((cookie) => cookie.name)).toEqual([app!.server.config.cookie.name]);
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
