/// <reference lib="dom" />
/**
 * The web UI in a real browser against a real server:
 * - login, a streamed reply, reload, logout;
 * - no token where a script could read it;
 * - an image attached through the UI and shown by a plain `<img>` (the cookie rides along);
 * - revocation reaching an open tab: the same user is signed in in two browsers (contexts A
 *   and B); B revokes A's session on the sessions page; A, left alone on its chat page, is
 *   sent to the login page within seconds (the server drops its socket, the client notices).
 * Screenshots of the login page, a chat with an image and the sessions page go to
 * test-output/screenshots/.
 *
 * Needs the built UI (`npm run build`); fails with a clear message without it.
 */
import type { Locator, Page } from "playwright-core";
import { describe, expect, test, vi } from "vitest";
import { eventually, makePng, pageFetch, screenshot, uiLogin, uniqueUser, userState, useE2E, DEMO_PASSWORD } from "./fixture.js";

vi.setConfig({ testTimeout: 40_000, hookTimeout: 30_000 });

const e2e = useE2E({ webUi: true });

const SIGN_OUT = /^(sign|log) ?out$/i;

describe("chat in the browser", () => {
  test("log in, watch a reply stream, reload and stay logged in, log out", async () => {
    const page = await e2e.newPage();
    const username = uniqueUser("alice");
    const origin = e2e.app.origin;
    // The whole flow runs under the UI's strict CSP: Chromium reports any blocked script,
    // style or connection on the console.
    const cspViolations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });

    // Logged out: the app sends the visitor to the login page by itself.
    await page.goto(`${origin}/`);
    await page.waitForURL((url) => url.pathname === "/login");
    await page.getByLabel("Username").waitFor();
    await screenshot(page, "login");

    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname !== "/login");
    const input = page.getByRole("textbox", { name: "Message" });
    await input.waitFor();
    for (const name of ["Attach file", "New chat", "Account"]) await page.getByRole("button", { name }).first().waitFor();

    const afterLogin = await userState(e2e.app, username);
    expect(afterLogin.sessions).toEqual([expect.objectContaining({ revoked: false })]);

    // Record every text the message log shows, and whether "Stop" was offered meanwhile.
    await page.evaluate(() => {
      const w = window as any;
      w.__e2e = { texts: [] as string[], stopSeen: false };
      const record = () => {
        const log = document.querySelector('[role="log"]');
        if (log) w.__e2e.texts.push(log.textContent ?? "");
        if ([...document.querySelectorAll("button")].some((b) => b.getAttribute("aria-label") === "Stop" || b.textContent?.trim() === "Stop")) {
          w.__e2e.stopSeen = true;
        }
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
    });

    const words = "alpha bravo charlie delta echo foxtrot golf hotel india juliett";
    const reply = `You said: ${words}`;
    await input.fill(words);
    await page.getByRole("button", { name: "Send" }).click();
    await page.waitForFunction((text) => document.querySelector('[role="log"]')?.textContent?.includes(text), reply);

    const seen: { texts: string[]; stopSeen: boolean } = await page.evaluate(() => (window as any).__e2e);
    const partials = new Set(seen.texts.filter((text) => text.includes("You said") && !text.includes(reply)));
    expect(partials.size, `partial texts seen: ${JSON.stringify([...partials])}`).toBeGreaterThanOrEqual(2);
    expect(seen.stopSeen).toBe(true);

    // The server stored the exchange, the reply complete.
    await eventually("the reply stored complete", async () =>
      (await userState(e2e.app, username)).messages.some((m) => m.role === "assistant" && m.status === "complete"),
    );
    const stored = await userState(e2e.app, username);
    expect(stored.threads).toBe(1);
    expect(stored.messages).toEqual([
      { role: "user", content: words, status: "complete" },
      { role: "assistant", content: reply, status: "complete" },
    ]);

    // A reload keeps the session (the cookie) and shows the thread again.
    await page.reload();
    await input.waitFor();
    expect(new URL(page.url()).pathname).not.toBe("/login");
    await page.waitForFunction(
      ([question, answer]) => {
        const text = document.querySelector('[role="log"]')?.textContent ?? "";
        return text.includes(question!) && text.includes(answer!);
      },
      [words, reply],
    );

    // Log out from the account menu: back to the login page, the session revoked on the server.
    await page.getByRole("button", { name: "Account" }).click();
    await page.getByRole("button", { name: SIGN_OUT }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect((await userState(e2e.app, username)).sessions).toEqual([expect.objectContaining({ revoked: true })]);
    expect((await pageFetch(page, "/auth/me")).status).toBe(401);
    expect((await page.context().cookies(origin)).filter((cookie) => cookie.name === e2e.app.cookieName)).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  test("no token is readable by scripts: not in document.cookie, Web Storage, IndexedDB, the DOM or any response", async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    // Every response body the page gets from the app, to check none hands a token to a script.
    const bodies: Array<{ url: string; body: string }> = [];
    context.on("response", async (response) => {
      const type = response.headers()["content-type"] ?? "";
      if (!response.url().startsWith(e2e.app.origin) || !/json|text|javascript/.test(type)) return;
      bodies.push({ url: response.url(), body: await response.text().catch(() => "") });
    });
    const username = uniqueUser("bob");
    await uiLogin(page, e2e.app.origin, username);

    // Use the app a little: a message over the socket, the sessions page, back to the chat.
    await page.getByRole("textbox", { name: "Message" }).fill("hello there");
    await page.getByRole("button", { name: "Send" }).click();
    await page.waitForFunction(() => document.querySelector('[role="log"]')?.textContent?.includes("You said: hello there"));
    await page.goto(`${e2e.app.origin}/sessions`);
    await page.getByRole("button", { name: "Revoke" }).first().waitFor();
    await page.goBack();
    await page.getByRole("textbox", { name: "Message" }).waitFor();

    const session = (await context.cookies(e2e.app.origin)).find((cookie) => cookie.name === e2e.app.cookieName);
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax" });
    const jwt = session!.value;
    const [, payload, signature] = jwt.split(".");
    const me = await pageFetch(page, "/auth/me");
    expect(me.status).toBe(200);
    const csrfToken: string = me.body.csrfToken;
    expect(csrfToken.length).toBeGreaterThan(20);

    const exposed = await page.evaluate(async () => {
      const entries = (store: Storage) => Array.from({ length: store.length }, (_, i) => [store.key(i)!, store.getItem(store.key(i)!) ?? ""] as const);
      const databases = "databases" in indexedDB ? await indexedDB.databases() : [];
      return {
        cookie: document.cookie,
        localStorage: entries(localStorage),
        sessionStorage: entries(sessionStorage),
        indexedDB: databases.map((db) => db.name ?? ""),
        cacheStorage: "caches" in window ? await caches.keys() : [],
        windowName: window.name,
        html: document.documentElement.outerHTML,
      };
    });
    const scriptVisible = [
      exposed.cookie,
      ...exposed.localStorage.flat(),
      ...exposed.sessionStorage.flat(),
      ...exposed.indexedDB,
      ...exposed.cacheStorage,
      exposed.windowName,
    ].join("\n");
    for (const secret of [jwt, payload!, signature!, csrfToken]) {
      expect(scriptVisible, "a token is readable by page scripts").not.toContain(secret);
    }
    expect(exposed.html).not.toContain(signature!);
    expect(exposed.html).not.toContain(payload!);
    // The CSRF token is not kept in a readable cookie either.
    expect(exposed.cookie).toBe("");

    // No response the page received carries the session token (only the CSRF token, by design).
    expect(bodies.length).toBeGreaterThan(0);
    expect(bodies.filter(({ body }) => body.includes(signature!) || body.includes(payload!)).map(({ url }) => url)).toEqual([]);
  });

  test("an image attached with 'Attach file' is sent and shown by an <img> that loads", async () => {
    const page = await e2e.newPage();
    const username = uniqueUser("carol");
    await uiLogin(page, e2e.app.origin, username);

    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.getByRole("button", { name: "Attach file" }).click()]);
    await chooser.setFiles({ name: "gradient.png", mimeType: "image/png", buffer: makePng(48, 32) });
    await page.getByRole("textbox", { name: "Message" }).fill("Here is a picture");
    // Enabled once the upload is done.
    await page.getByRole("button", { name: "Send" }).click();

    const image = page.getByRole("log").locator('img[src*="/api/files/"]').first();
    await image.waitFor();
    expect(await image.getAttribute("src")).toMatch(/^\/api\/files\/[\w-]+/);
    const size = await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[role="log"] img[src*="/api/files/"]');
      return img && img.complete && img.naturalWidth > 0 ? { width: img.naturalWidth, height: img.naturalHeight } : null;
    });
    expect(await size.jsonValue()).toEqual({ width: 48, height: 32 });

    await page.waitForFunction(() => document.querySelector('[role="log"]')?.textContent?.includes("You said: Here is a picture"));
    const state = await eventually("the file attached to the stored message", async () => {
      const current = await userState(e2e.app, username);
      return current.files.length === 1 && current.files[0]!.messageId !== null && current.messages.length === 2 ? current : null;
    });
    expect(state.files[0]).toMatchObject({ mime: "image/png", name: "gradient.png" });
    expect(state.messages[0]).toMatchObject({ role: "user", content: "Here is a picture" });
    await screenshot(page, "chat-with-image");
  });
});

/** How a sessions list may mark the session of the browser looking at it. */
const CURRENT = /this device|this browser|current|you are here/i;

/** The one "Revoke" button that is not on the current session's row. */
async function revokeButtonOfOtherSession(page: Page): Promise<Locator> {
  const buttons = page.getByRole("button", { name: "Revoke" });
  await buttons.first().waitFor();
  const count = await buttons.count();
  const others: Locator[] = [];
  for (let i = 0; i < count; i++) {
    const button = buttons.nth(i);
    const row = button.locator("xpath=ancestor::*[self::li or self::tr or @role='row' or @role='listitem'][1]");
    const rowText = (await row.count()) > 0 ? await row.innerText() : "";
    if (!CURRENT.test(rowText)) others.push(button);
  }
  if (others.length !== 1) {
    throw new Error(`E2E: expected one "Revoke" button outside the current session's row, found ${others.length} of ${count}`);
  }
  return others[0]!;
}

describe("sessions", () => {
  test("a session revoked from another browser is sent to the login page without a reload", async () => {
    const username = uniqueUser("dana");
    const pageA = await e2e.newPage();
    const pageB = await e2e.newPage();

    // A: signed in, chatting (its socket is up and working).
    await uiLogin(pageA, e2e.app.origin, username);
    await pageA.getByRole("textbox", { name: "Message" }).fill("still here");
    await pageA.getByRole("button", { name: "Send" }).click();
    await pageA.waitForFunction(() => document.querySelector('[role="log"]')?.textContent?.includes("You said: still here"));
    const sessionA: string = (await pageFetch(pageA, "/auth/me")).body.session.id;
    // Survives only if the page is not reloaded.
    await pageA.evaluate(() => ((window as any).__e2eNoReload = true));

    // B: the same user in another browser, on the sessions page.
    await uiLogin(pageB, e2e.app.origin, username);
    const sessionB: string = (await pageFetch(pageB, "/auth/me")).body.session.id;
    expect(sessionB).not.toBe(sessionA);
    await pageB.goto(`${e2e.app.origin}/sessions`);
    await pageB.getByRole("button", { name: "Sign out everywhere" }).waitFor();
    await eventually("two sessions listed", async () => (await pageB.getByRole("button", { name: "Revoke" }).count()) === 2);
    await screenshot(pageB, "sessions");

    const startedAt = Date.now();
    await (await revokeButtonOfOtherSession(pageB)).click();

    // A goes to the login page by itself.
    await pageA.waitForURL((url) => url.pathname === "/login", { timeout: 5_000 });
    const noticedAfterMs = Date.now() - startedAt;
    await pageA.getByRole("button", { name: "Sign in" }).waitFor();
    const reloaded = !(await pageA.evaluate(() => (window as any).__e2eNoReload === true));
    console.info(`[e2e] revoked session noticed after ${noticedAfterMs} ms; the app ${reloaded ? "reloaded the page" : "navigated in place (no reload)"}`);

    // On the server: A revoked, B untouched; A's cookie no longer works, B's does.
    const state = await userState(e2e.app, username);
    expect(state.sessions.find((session) => session.id === sessionA)?.revoked).toBe(true);
    expect(state.sessions.find((session) => session.id === sessionB)?.revoked).toBe(false);
    expect((await pageFetch(pageA, "/auth/me")).status).toBe(401);
    expect((await pageFetch(pageB, "/auth/me")).status).toBe(200);
    // B stays on its sessions page, now with only its own session.
    expect(new URL(pageB.url()).pathname).toBe("/sessions");
    await eventually("one session left in B's list", async () => (await pageB.getByRole("button", { name: "Revoke" }).count()) === 1);
  });
});
