/// <reference lib="dom" />
/**
 * The web UI under a path prefix, behind a reverse proxy that forwards paths unchanged
 * (`startPathProxy`, standing for nginx): the same build as at the root, told its prefix by
 * the `<base href>` the server writes.
 * - at `/chat/`: login, a streamed reply, a reload of the thread's deep URL, an uploaded
 *   image shown by an `<img>`, the sessions page; no request leaves the prefix, no CSP report;
 * - two apps at `/a/` and `/b/` of the one proxy host, in one browser: signing out, and
 *   signing out everywhere, in one leaves the other signed in; a's cookie value planted as
 *   b's cookie does not open b.
 *
 * Needs the built UI (`npm run build`) and Chromium; fails with a clear message without them.
 */
import { startPathProxy, type PathProxy } from "@parlor/test-support";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import {
  DEMO_PASSWORD,
  launchChromium,
  makePng,
  pageFetch,
  requireChromium,
  requireWebBuild,
  screenshot,
  startAppBehindProxy,
  uniqueUser,
  userState,
  type AppUnderTest,
} from "./fixture.js";

vi.setConfig({ testTimeout: 40_000, hookTimeout: 30_000 });

let browser: Browser | undefined;
let proxy: PathProxy;
let chat: AppUnderTest;
let appA: AppUnderTest;
let appB: AppUnderTest;
const contexts: BrowserContext[] = [];
// A missing precondition fails every test with its message (a failing beforeAll alone would only mark them skipped).
let setupError: unknown = null;

beforeAll(async () => {
  try {
    requireChromium();
    requireWebBuild();
    browser = await launchChromium();
    proxy = await startPathProxy();
    [chat, appA, appB] = await Promise.all([startAppBehindProxy(proxy, "/chat"), startAppBehindProxy(proxy, "/a"), startAppBehindProxy(proxy, "/b")]);
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
});

async function newContext(): Promise<BrowserContext> {
  const context = await browser!.newContext();
  context.setDefaultTimeout(10_000);
  contexts.push(context);
  return context;
}

/** Signs in on the login page under `prefix` and waits for the chat page. */
async function signIn(page: Page, prefix: string, username: string): Promise<void> {
  await page.goto(`${proxy.origin}${prefix}/login`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === `${prefix}/`);
  await page.getByRole("textbox", { name: "Message" }).waitFor();
}

describe("the web UI at /chat/ behind a proxy", () => {
  test("login, a streamed reply, a reload of the thread's URL, an image, the sessions page: all under /chat/", async () => {
    const page = await (await newContext()).newPage();
    const username = uniqueUser("prefix");
    const outside: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      // blob: URLs (the thumbnail of a file being attached) are the page's own, not requests.
      if (url.protocol !== "blob:" && url.origin === proxy.origin && !url.pathname.startsWith("/chat/")) outside.push(url.pathname);
    });
    const cspViolations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });

    // Logged out, at the prefix without its slash: the app loads and goes to its login page.
    await page.goto(`${proxy.origin}/chat`);
    await page.waitForURL((url) => url.pathname === "/chat/login");
    expect(outside).toEqual(["/chat"]);
    outside.length = 0;
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname === "/chat/");
    const input = page.getByRole("textbox", { name: "Message" });
    await input.waitFor();

    // A streamed reply: several partial texts seen before the whole one.
    await page.evaluate(() => {
      const w = window as any;
      w.__texts = [] as string[];
      new MutationObserver(() => w.__texts.push(document.querySelector('[role="log"]')?.textContent ?? "")).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
    const words = "one two three four five six seven eight";
    await input.fill(words);
    await page.getByRole("button", { name: "Send" }).click();
    await page.waitForFunction((text) => document.querySelector('[role="log"]')?.textContent?.includes(text), `You said: ${words}`);
    const texts: string[] = await page.evaluate(() => (window as any).__texts);
    expect(new Set(texts.filter((text) => text.includes("You said") && !text.includes(`You said: ${words}`))).size).toBeGreaterThanOrEqual(2);

    // The new chat got its address under the prefix; reloading that deep URL loads the app again.
    await page.waitForURL((url) => /^\/chat\/chat\/[^/]+$/.test(url.pathname));
    await page.reload();
    await page.waitForFunction((text) => document.querySelector('[role="log"]')?.textContent?.includes(text), `You said: ${words}`);

    // An image: uploaded under the prefix and shown by an <img> whose URL carries it.
    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.getByRole("button", { name: "Attach file" }).click()]);
    await chooser.setFiles({ name: "gradient.png", mimeType: "image/png", buffer: makePng(40, 24) });
    await input.fill("A picture");
    await page.getByRole("button", { name: "Send" }).click();
    const size = await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[role="log"] img[src*="/api/files/"]');
      return img && img.complete && img.naturalWidth > 0 ? { src: img.getAttribute("src"), width: img.naturalWidth, height: img.naturalHeight } : null;
    });
    const shown = (await size.jsonValue()) as { src: string; width: number; height: number };
    expect(shown).toMatchObject({ width: 40, height: 24 });
    expect(shown.src).toMatch(/^\/chat\/api\/files\/[\w-]+$/);
    await screenshot(page, "prefix-chat-with-image");

    // In-app navigation keeps the prefix.
    await page.getByRole("button", { name: "Account" }).click();
    await page.getByRole("link", { name: /sessions/i }).click();
    await page.waitForURL((url) => url.pathname === "/chat/sessions");
    await page.getByRole("button", { name: "Sign out everywhere" }).waitFor();

    const state = await userState(chat, username);
    expect(state.messages.map((message) => message.content)).toContain("A picture");
    expect(state.files).toHaveLength(1);
    // Every request of the page (assets, theme-init.js, favicon, API, socket.io, the image) stayed under /chat/.
    expect(outside).toEqual([]);
    expect(proxy.forwarded.some((line) => line.startsWith("UPGRADE /chat/socket.io/"))).toBe(true);
    expect(cspViolations).toEqual([]);
  });
});

describe("two apps at /a/ and /b/ of one host, in one browser", () => {
  /** Whether the page's app (at `prefix`) has a session for this browser. */
  const signedIn = async (page: Page, prefix: string) => (await pageFetch(page, `${prefix}/auth/me`)).status === 200;

  test("signing out of one, and out everywhere, leaves the other signed in", async () => {
    const context = await newContext();
    const pageA = await context.newPage();
    const pageB = await context.newPage();
    const username = uniqueUser("twin");
    await signIn(pageA, "/a", username);
    await signIn(pageB, "/b", username);
    const names = (await context.cookies(proxy.origin)).map((cookie) => cookie.name).sort();
    expect(names).toEqual([appA.cookieName, appB.cookieName].sort());

    // Sign out of a from its account menu.
    await pageA.getByRole("button", { name: "Account" }).click();
    await pageA.getByRole("button", { name: "Sign out", exact: true }).click();
    await pageA.waitForURL((url) => url.pathname === "/a/login");
    expect(await signedIn(pageA, "/a")).toBe(false);
    expect(await signedIn(pageB, "/b")).toBe(true);
    await pageB.reload();
    await pageB.getByRole("textbox", { name: "Message" }).waitFor();
    expect(new URL(pageB.url()).pathname).toBe("/b/");

    // Back into a, then "Sign out everywhere" there: every session of a ends, b's does not.
    await signIn(pageA, "/a", username);
    await pageA.goto(`${proxy.origin}/a/sessions`);
    await pageA.getByRole("button", { name: "Sign out everywhere" }).click();
    await pageA.waitForURL((url) => url.pathname === "/a/login");
    expect((await userState(appA, username)).sessions.every((session) => session.revoked)).toBe(true);
    expect((await userState(appB, username)).sessions).toEqual([expect.objectContaining({ revoked: false })]);
    expect(await signedIn(pageB, "/b")).toBe(true);
    // b's open tab is still working: its socket was never dropped.
    await pageB.getByRole("textbox", { name: "Message" }).fill("still here");
    await pageB.getByRole("button", { name: "Send" }).click();
    await pageB.waitForFunction(() => document.querySelector('[role="log"]')?.textContent?.includes("You said: still here"));
  });

  test("a's cookie value, replayed as b's cookie in another browser, does not open b", async () => {
    const victim = await newContext();
    const page = await victim.newPage();
    const username = uniqueUser("victim");
    await signIn(page, "/a", username);
    const stolen = (await victim.cookies(proxy.origin)).find((cookie) => cookie.name === appA.cookieName)!;
    expect(stolen.value).not.toBe("");

    // Another browser gets the value both ways: a's cookie as it is, and under b's name. Planted
    // from a page of the host, as a script or a person at the keyboard can (no HttpOnly then,
    // which the server does not look at).
    const other = await (await newContext()).newPage();
    await other.goto(`${proxy.origin}/b/healthz`);
    await other.evaluate(
      ([names, value]) => {
        for (const name of names as string[]) document.cookie = `${name}=${value as string}; Path=/; Secure; SameSite=Lax`;
      },
      [[appA.cookieName, appB.cookieName], stolen.value],
    );
    expect((await other.context().cookies(proxy.origin)).map((cookie) => cookie.name).sort()).toEqual([appA.cookieName, appB.cookieName].sort());
    await other.goto(`${proxy.origin}/b/`);
    await other.waitForURL((url) => url.pathname === "/b/login");
    await other.getByRole("button", { name: "Sign in" }).waitFor();
    expect(await signedIn(other, "/b")).toBe(false);
    // In a, the same cookie is (still) the victim's session: the refusal is b's, not a broken cookie.
    expect(await signedIn(other, "/a")).toBe(true);
    expect((await userState(appB, username)).userId).toBeNull();
  });
});
