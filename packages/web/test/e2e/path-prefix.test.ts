/// <reference lib="dom" />
/**
 * The web UI under a path prefix, behind a reverse proxy that forwards paths unchanged
 * (`startPathProxy`, standing for nginx): the same build as at the root, told its prefix by
 * the `<base href>` the server writes.
 * - at `/chat/`: login, a streamed reply, a reload of the thread's deep URL, an uploaded
 *   image shown by an `<img>`, the sessions page; no request leaves the prefix, no CSP report;
 * - two apps at `/a/` and `/b/` of the one proxy host, in one browser: signing out, and
 *   signing out everywhere, in one leaves the other signed in; a's cookie value planted as
 *   b's cookie does not open b;
 * - the widget of the app at `/chat/` on a shop at `http://127.0.0.1:<port>` (host-site.ts):
 *   `/chat/widget.js` finds the server in its own folder (or in `server` with the path), the
 *   iframe at `/chat/embed/shop` signs the shop's user in at `/chat/auth/token` (host token
 *   `aud` = the proxy's origin, no path), streams a reply, renews its token past expiry and
 *   shows an uploaded image by a signed URL; no request of the chat leaves `/chat/`, no CSP violation in either document.
 *
 * Needs the built UI (`npm run build`) and Chromium; fails with a clear message without them.
 */
import { eventually, startPathProxy, TEST_EMBED_SECRET, type PathProxy } from "@parlor/test-support";
import type { Browser, BrowserContext, Frame, Page, Request } from "playwright-core";
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
import { startHostSite, type HostSite } from "./host-site.js";

vi.setConfig({ testTimeout: 40_000, hookTimeout: 30_000 });

let browser: Browser | undefined;
let proxy: PathProxy;
let chat: AppUnderTest;
let appA: AppUnderTest;
let appB: AppUnderTest;
let shop: HostSite;
const contexts: BrowserContext[] = [];
// A missing precondition fails every test with its message (a failing beforeAll alone would only mark them skipped).
let setupError: unknown = null;

beforeAll(async () => {
  try {
    requireChromium();
    requireWebBuild();
    browser = await launchChromium();
    proxy = await startPathProxy();
    // The shop first: the embedding's origins name it. Its tokens' `aud` is the app's origin.
    shop = await startHostSite({ parlorUrl: () => `${proxy.origin}/chat/`, now: () => chat.clock.now() });
    [chat, appA, appB] = await Promise.all([
      startAppBehindProxy(proxy, "/chat", { server: { embeds: { shop: { secret: TEST_EMBED_SECRET, origins: [shop.origin] } } } }),
      startAppBehindProxy(proxy, "/a"),
      startAppBehindProxy(proxy, "/b"),
    ]);
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
    await pageA.getByRole("dialog").getByRole("button", { name: "Sign out everywhere" }).click();
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

describe("the widget of the app at /chat/, on a cross-site shop", () => {
  /** The chat iframe, once its document is the embed page under the prefix. */
  async function chatFrame(page: Page): Promise<Frame> {
    return eventually("the chat iframe", () => page.frames().find((frame) => frame.url().startsWith(`${proxy.origin}/chat/embed/shop?`)) ?? null, 10_000);
  }

  async function logShows(frame: Frame, text: string): Promise<void> {
    await frame.waitForFunction((expected) => document.querySelector('[role="log"]')?.textContent?.includes(expected) === true, text, { timeout: 15_000 });
  }

  async function send(frame: Frame, text: string): Promise<void> {
    await frame.getByRole("textbox", { name: "Message" }).fill(text);
    await frame.getByRole("button", { name: "Send" }).click();
  }

  /**
   * Every request and websocket of the page's documents, and every CSP violation any of them reports (the
   * event, collected by a script Chromium runs before the page's own, in every frame; and the
   * console line, for violations the event does not see, such as `frame-ancestors`).
   */
  async function watch(context: BrowserContext, page: Page) {
    await context.addInitScript(() => {
      const w = window as unknown as { __cspViolations: string[] };
      w.__cspViolations = [];
      document.addEventListener("securitypolicyviolation", (event) => w.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`));
    });
    const requests: Request[] = [];
    const websockets: string[] = [];
    const consoleViolations: string[] = [];
    page.on("request", (request) => void requests.push(request));
    page.on("websocket", (socket) => void websockets.push(socket.url()));
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) consoleViolations.push(message.text());
    });
    return {
      requests,
      websockets,
      async cspViolations(frames: Frame[]): Promise<string[]> {
        const reported = await Promise.all(frames.map((frame) => frame.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)));
        return [...consoleViolations, ...reported.flat()];
      },
    };
  }

  test.each([
    ["its script's folder", ""],
    ["`server` with the path", "&server=SERVER"],
  ])(
    "finds the server in %s: signs in at /chat/auth/token, streams, renews past expiry, shows an image; nothing leaves /chat/, no CSP violation",
    async (_how, serverQuery) => {
      const context = await newContext();
      const user = uniqueUser("wshop");
      const exchanges = chat.count("POST", "/chat/auth/token");
      // Without a trailing slash: the loader adds it (`/chat` + `embed/…` would lose the prefix).
      const query = `?open${serverQuery.replace("SERVER", encodeURIComponent(`${proxy.origin}/chat`))}`;
      const page = await context.newPage();
      const seen = await watch(context, page);
      await page.goto(`${shop.origin}/login?user=${encodeURIComponent(user)}&next=${encodeURIComponent(`/${query}`)}`);
      await page.waitForFunction(() => typeof (window as { Parlor?: unknown }).Parlor === "object");

      // The iframe at /chat/embed/shop signs the shop's user in: one host token, one exchange.
      const frame = await chatFrame(page);
      const input = frame.getByRole("textbox", { name: "Message" });
      await input.waitFor();
      expect(shop.issued.filter((entry) => entry.user === user)).toHaveLength(1);
      expect(chat.count("POST", "/chat/auth/token")).toBe(exchanges + 1);
      expect((await userState(chat, `embed:shop:${user}`)).sessions).toEqual([expect.objectContaining({ revoked: false })]);

      // A streamed reply over /chat/socket.io: partial texts before the whole.
      await frame.evaluate(() => {
        const w = window as unknown as { __texts: string[] };
        w.__texts = [];
        new MutationObserver(() => w.__texts.push(document.querySelector('[role="log"]')?.textContent ?? "")).observe(document.body, {
          subtree: true,
          childList: true,
          characterData: true,
        });
      });
      const words = "one two three four five six seven eight";
      await send(frame, words);
      await logShows(frame, `You said: ${words}`);
      const texts = await frame.evaluate(() => (window as unknown as { __texts: string[] }).__texts);
      expect(new Set(texts.filter((text) => text.includes("You said") && !text.includes(`You said: ${words}`))).size).toBeGreaterThanOrEqual(2);

      // Past the access token's expiry on the server's clock: the upload is refused, and the
      // chat gets a new host token from the shop and exchanges it, again at /chat/auth/token.
      const issued = shop.issued.length;
      chat.clock.advance((chat.server.config.session.tokenTtl + 60) * 1000);

      // An image, uploaded by bearer and shown by a signed URL under /chat/.
      await frame.locator('input[type="file"]').setInputFiles({ name: "gradient.png", mimeType: "image/png", buffer: makePng(48, 32) });
      await eventually(
        "the attachment uploaded",
        () =>
          frame
            .getByRole("button", { name: "Send" })
            .isEnabled()
            .catch(() => false),
        10_000,
      );
      await send(frame, "a picture");
      await logShows(frame, "You said: a picture");
      const image = await frame.waitForFunction(
        () => {
          const img = document.querySelector<HTMLImageElement>('[role="log"] img');
          return img && img.complete && img.naturalWidth > 0 ? { src: img.src, width: img.naturalWidth, height: img.naturalHeight } : null;
        },
        undefined,
        { timeout: 10_000 },
      );
      const shown = (await image.jsonValue())!;
      expect(shown).toMatchObject({ width: 48, height: 32 });
      expect(shown.src.startsWith(`${proxy.origin}/chat/api/files/`)).toBe(true);
      expect(new URL(shown.src).search).toMatch(/^\?exp=\d+&sig=/);
      expect(shop.issued.length).toBeGreaterThan(issued);
      expect(chat.count("POST", "/chat/auth/token")).toBeGreaterThan(exchanges + 1);
      await send(frame, "still here after the renewal");
      await logShows(frame, "You said: still here after the renewal");
      const stored = await userState(chat, `embed:shop:${user}`);
      expect(stored.messages.filter((message) => message.role === "user").map((message) => message.content)).toEqual([
        words,
        "a picture",
        "still here after the renewal",
      ]);
      expect(stored.files).toEqual([expect.objectContaining({ mime: "image/png", messageId: expect.any(String) })]);
      await screenshot(page, `prefix-widget-${serverQuery === "" ? "script-folder" : "server-option"}`);

      // The page asked the app for /chat/widget.js only; the chat's every request (its page,
      // assets, token exchange, socket.io, upload, image) went to /chat/ of the app's origin.
      const isRequest = (request: Request) => !/^(blob|data):/.test(request.url());
      const fromChat = seen.requests.filter((request) => isRequest(request) && request.frame() !== page.mainFrame());
      const fromShop = seen.requests.filter((request) => isRequest(request) && request.frame() === page.mainFrame());
      expect(fromChat.length).toBeGreaterThan(5);
      expect(fromChat.map((request) => request.url()).filter((url) => !url.startsWith(`${proxy.origin}/chat/`))).toEqual([]);
      expect(fromShop.map((request) => request.url()).filter((url) => !url.startsWith(shop.origin))).toEqual([`${proxy.origin}/chat/widget.js`]);
      const chatPaths = fromChat.map((request) => new URL(request.url()).pathname);
      expect(chatPaths).toEqual(expect.arrayContaining(["/chat/embed/shop", "/chat/auth/token", "/chat/api/files"]));
      // The websocket is no `request` event: its URL is checked on its own.
      expect(seen.websockets.length).toBeGreaterThan(0);
      expect(seen.websockets.filter((url) => !url.startsWith(`${proxy.origin.replace(/^http/, "ws")}/chat/socket.io/`))).toEqual([]);
      expect(await seen.cspViolations([page.mainFrame(), frame])).toEqual([]);
    },
  );
});
