/// <reference lib="dom" />
/**
 * The login page in a real browser: what the password form does with a wrong password or an
 * empty field, and single sign-on through a trusted header (tried once on load, never right
 * after the user signed out, and on the button). The header stands in for what a reverse
 * proxy adds; the server trusts it because the browser connects over loopback.
 *
 * Needs the built UI (`npm run build`) and Chromium at /usr/bin/chromium; fails without them.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, defineApp, type ParlorServer } from "parlor";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { DEMO_PASSWORD, eventually, freePort, requireWebBuild, uniqueUser, useE2E, WEB_DIST } from "./fixture.js";

vi.setConfig({ testTimeout: 40_000, hookTimeout: 30_000 });

const e2e = useE2E({ webUi: true });

describe("the password form", () => {
  test("an empty field gets the focus, a wrong password is cleared and marked, the right one signs in", async () => {
    const page = await e2e.newPage();
    await page.goto(`${e2e.app.origin}/login`);
    const username = page.getByRole("textbox", { name: "Username" });
    const password = page.getByLabel("Password");
    const signIn = page.getByRole("button", { name: "Sign in" });

    await signIn.click();
    await eventually("focus on Username", () => username.evaluate((input) => input === document.activeElement));
    await username.fill("  ada  ");
    await signIn.click();
    await eventually("focus on Password", () => password.evaluate((input) => input === document.activeElement));
    expect(e2e.app.requests.filter((request) => request.url === "/auth/login")).toEqual([]);

    await password.fill("not the password");
    await signIn.click();
    const alert = page.getByTestId("login-error");
    await alert.waitFor();
    expect(await alert.getAttribute("role")).toBe("alert");
    expect(await alert.getAttribute("data-code")).toBe("invalid_credentials");
    expect(await alert.textContent()).toBe("Wrong username or password.");
    // Retyped, so emptied and focused; the username stays as typed.
    await eventually("password emptied and focused", async () =>
      password.evaluate((input: HTMLInputElement) => input.value === "" && input === document.activeElement),
    );
    expect(e2e.app.requests.filter((request) => request.url === "/auth/login")).toHaveLength(1);
    expect(await username.inputValue()).toBe("  ada  ");
    expect(await username.getAttribute("aria-invalid")).toBe("true");
    expect(await password.getAttribute("aria-invalid")).toBe("true");

    const user = uniqueUser("login");
    await username.fill(user);
    await password.fill(DEMO_PASSWORD);
    await signIn.click();
    await page.getByRole("textbox", { name: "Message" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/");
    expect(await page.evaluate(async () => (await (await fetch("/auth/me")).json()).user.identifier)).toBe(user);
  });
});

describe("single sign-on through a trusted header", () => {
  let server: ParlorServer | undefined;
  let origin = "";
  const cleanups: Array<() => void> = [];

  beforeAll(async () => {
    requireWebBuild();
    const webRoot = mkdtempSync(join(tmpdir(), "parlor-e2e-sso-web-"));
    cpSync(WEB_DIST, webRoot, { recursive: true });
    const dataDir = mkdtempSync(join(tmpdir(), "parlor-e2e-sso-"));
    cleanups.push(
      () => rmSync(webRoot, { recursive: true, force: true }),
      () => rmSync(dataDir, { recursive: true, force: true }),
    );
    const port = await freePort();
    origin = `http://localhost:${port}`;
    const app = defineApp({
      name: "Parlor SSO E2E",
      auth: {
        header: (headers) => {
          const user = headers["x-e2e-user"];
          return typeof user === "string" && user !== "" ? { identifier: user } : null;
        },
      },
      async onMessage(message, chat) {
        await chat.send(`You said: ${message.content}`);
      },
    });
    server = await createServer(app, {
      env: {},
      server: {
        host: "127.0.0.1",
        port,
        dataDir,
        authSecret: "e2e-sso-Secret-7fQ2xLw9-Zk3vBn8Rt1-Hy6uJm4Pc",
        logLevel: "silent",
        publicUrl: origin,
        trustedProxies: ["loopback"],
        webRoot,
      },
    });
    await server.fastify.listen({ host: "127.0.0.1", port });
  });

  afterAll(async () => {
    await server?.close();
    for (const cleanup of cleanups) cleanup();
  });

  test("signs in by itself on load, not again after Sign out, and again with the button", async () => {
    const page = await e2e.newPage({ extraHTTPHeaders: { "x-e2e-user": "sso-user" } });
    await page.goto(`${origin}/`);
    await page.getByRole("textbox", { name: "Message" }).waitFor();
    expect(await page.evaluate(async () => (await (await fetch("/auth/me")).json()).user.identifier)).toBe("sso-user");

    await page.getByRole("button", { name: "Account" }).click();
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    const button = page.getByRole("button", { name: "Continue with single sign-on" });
    await button.waitFor();
    // Signing the user straight back in would make Sign out useless.
    await page.waitForTimeout(1000);
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await page.getByRole("alert").count()).toBe(0);

    await button.click();
    await page.getByRole("textbox", { name: "Message" }).waitFor();
  });

  test("a refused header login on load says why and leaves the button to try again", async () => {
    const page = await e2e.newPage();
    await page.goto(`${origin}/login`);
    const alert = page.getByTestId("login-error");
    await alert.waitFor();
    expect(await alert.getAttribute("data-code")).toBe("invalid_credentials");
    expect(await page.getByRole("button", { name: "Continue with single sign-on" }).isEnabled()).toBe(true);
    // Without a password form, single sign-on is the main action.
    expect(await page.getByRole("button", { name: "Continue with single sign-on" }).getAttribute("class")).toContain("button-primary");
    expect(await page.getByRole("textbox", { name: "Username" }).count()).toBe(0);
  });
});
