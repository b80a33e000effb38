/// <reference lib="dom" />
/**
 * The widget end to end, in Chromium with third-party cookies blocked: the fixture's contexts
 * are fresh profiles, which block them in this Chromium already, and
 * `--test-third-party-cookie-phaseout` makes builds that allow them by default block them too.
 * The first test checks it, with a control that the probe sees an allowed cookie. A shop at
 * `http://127.0.0.1:<p1>` (host-site.ts) embeds the chat of the app at `http://localhost:<p2>`
 * with `widget.js`. The chat runs in the iframe (`embed.html` of the web build) on bearer
 * tokens exchanged for the shop's host tokens; no cookie is involved.
 *
 * - the whole way: open, sign in as the shop's user, a streamed reply, a host function run by
 *   the app's `chat.callClient`, a message sent by the page (`Parlor.sendMessage`), the unread
 *   count on the launcher while the panel is closed, theme and language, the token
 *   renewed past its expiry (the server's clock moved), an uploaded image shown by a signed
 *   URL, while the same user's main-app tab in the same browser keeps its session;
 * - refused host tokens (another `aud`, expired, too long-lived, another secret, `alg: none`,
 *   replayed) sign nobody in and create nothing;
 * - a foreign window (an ad on the shop page, the attacker's own page opening the chat, a
 *   `connect` from the wrong origin or window) cannot hand the chat a token or a port, or send
 *   as the user;
 * - a site not in the embedding's origins cannot frame the chat;
 * - nothing token-like in the shop page's DOM, storage or cookies, nor in the iframe's storage.
 *
 * A screenshot of the shop with the chat open goes to test-output/screenshots/.
 *
 * Needs the built UI and widget (`npm run build`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually, mintHostToken, sleep, TEST_EMBED_SECRET } from "@parlor/test-support";
import { defineApp } from "parlor";
import { chromium, type BrowserContext, type Frame, type Page } from "playwright-core";
import { beforeAll, describe, expect, test, vi } from "vitest";
import {
  CHROMIUM_PATH,
  DEMO_PASSWORD,
  makePng,
  screenshot,
  startAttacker,
  tableCounts,
  uiLogin,
  uniqueUser,
  userState,
  useE2E,
  WORD_DELAY_MS,
  type AttackerServer,
} from "./fixture.js";
import { startHostSite, type HostSite, type TokenKind } from "./host-site.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

/** Anything shaped like a JWT (a host token, an access token). */
const JWT_LIKE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/;

/**
 * The E2E app with the widget's needs: a shop user is the app's user of the same name
 * (`auth.embed`), so the main app and the widget share one person; `/call <name> <json>` runs
 * a host function with `chat.callClient` and answers its result; anything else is echoed
 * piece by piece, as in the other E2E tests.
 */
function widgetApp() {
  return defineApp({
    name: "Parlor widget E2E",
    auth: {
      password: ({ username, password }) => (password === DEMO_PASSWORD ? { identifier: username, displayName: username } : null),
      embed: (claims) => ({ identifier: claims.sub, displayName: claims.name ?? claims.sub }),
    },
    async onMessage(message, chat) {
      const call = /^\/call (\S+) (.*)$/s.exec(message.content);
      if (call !== null) {
        try {
          const result = await chat.callClient(call[1]!, JSON.parse(call[2]!) as never, { timeout: 10_000 });
          await chat.send(`${call[1]} returned ${JSON.stringify(result)}`);
        } catch (error) {
          await chat.send(`${call[1]} failed: ${(error as { code?: string }).code}`);
        }
        return;
      }
      const reply = chat.reply();
      for (const part of `You said: ${message.content}`.split(/(\s+)/).filter((piece) => piece !== "")) {
        await reply.stream(part);
        await new Promise((resolve) => setTimeout(resolve, WORD_DELAY_MS));
      }
      await reply.end();
    },
  });
}

let host: HostSite;
// Before the app starts: the embedding's origins name the shop.
beforeAll(async () => {
  host = await startHostSite({ parlorUrl: () => e2e.app.origin, now: () => e2e.app.clock.now() });
});
const e2e = useE2E({
  webUi: true,
  app: widgetApp(),
  server: () => ({ embeds: { shop: { secret: TEST_EMBED_SECRET, origins: [host.origin] } } }),
  chromiumArgs: ["--test-third-party-cookie-phaseout"],
});

/** Signs `user` in to the shop (its own cookie) and lands on its page with `query`, the widget loaded. */
async function openShop(context: BrowserContext, user: string, query = ""): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${host.origin}/login?user=${encodeURIComponent(user)}&next=${encodeURIComponent(`/${query}`)}`);
  await page.waitForFunction(() => typeof (window as { Parlor?: unknown }).Parlor === "object");
  return page;
}

/** The chat iframe of the shop page, once its document is the app's embed page. */
async function chatFrame(page: Page): Promise<Frame> {
  return eventually("the chat iframe", () => page.frames().find((frame) => frame.url().startsWith(`${e2e.app.origin}/embed/shop?`)) ?? null, 10_000);
}

/** Waits until the frame's message log shows `text`. */
async function logShows(frame: Frame, text: string): Promise<void> {
  await frame.waitForFunction((expected) => document.querySelector('[role="log"]')?.textContent?.includes(expected) === true, text, { timeout: 15_000 });
}

/** `sendLabel`: the Send button's name in the chat's language (the host page's `lang`). */
async function send(frame: Frame, text: string, sendLabel = "Send"): Promise<void> {
  await frame.getByRole("textbox", { name: "Message" }).fill(text);
  await frame.getByRole("button", { name: sendLabel }).click();
}

/** What a script on the shop page could read: DOM (shadow roots too), storages, cookies. */
async function readableByTheShop(page: Page): Promise<string> {
  const inPage = await page.evaluate(() => {
    const parts: string[] = [document.documentElement.outerHTML, document.cookie];
    const walk = (root: ParentNode) => {
      for (const element of root.querySelectorAll("*")) {
        if (element.shadowRoot) {
          parts.push(element.shadowRoot.innerHTML);
          walk(element.shadowRoot);
        }
      }
    };
    walk(document);
    for (const storage of [localStorage, sessionStorage]) {
      for (let i = 0; i < storage.length; i++) parts.push(`${storage.key(i)}=${storage.getItem(storage.key(i)!)}`);
    }
    return parts.join("\n");
  });
  const cookies = await page.context().cookies(host.origin);
  return `${inPage}\n${cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join("\n")}`;
}

/** What the chat iframe keeps outside its memory: storages and script-readable cookies. */
async function keptByTheFrame(frame: Frame): Promise<string> {
  return frame.evaluate(() => {
    const parts: string[] = [document.cookie];
    try {
      for (const storage of [localStorage, sessionStorage]) {
        for (let i = 0; i < storage.length; i++) parts.push(`${storage.key(i)}=${storage.getItem(storage.key(i)!)}`);
      }
    } catch {
      // With third-party cookies blocked, Chromium denies a cross-site frame its storage too.
      parts.push("(storage denied)");
    }
    return parts.join("\n");
  });
}

describe("the widget in a cross-site page", () => {
  test("this browser blocks third-party cookies: a cookie set in the chat iframe is not kept; the same probe is kept where they are allowed", async () => {
    /** Sets a third-party-capable cookie from the chat iframe; returns whether the browser kept it. */
    async function probe(context: BrowserContext): Promise<boolean> {
      const shop = await openShop(context, uniqueUser("probe"), "?open");
      const frame = await chatFrame(shop);
      const seen = await frame.evaluate(() => {
        document.cookie = "probe3p=1; Path=/; SameSite=None; Secure";
        return document.cookie;
      });
      const stored = (await context.cookies(e2e.app.origin)).some((cookie) => cookie.name === "probe3p");
      expect(seen.includes("probe3p")).toBe(stored);
      return stored;
    }

    expect(await probe(await e2e.newContext())).toBe(false);

    // The control: a profile that allows third-party cookies (Chromium's cookie_controls_mode
    // 0) keeps the very same cookie, so the probe above can tell.
    const profile = mkdtempSync(join(tmpdir(), "parlor-e2e-3pc-"));
    mkdirSync(join(profile, "Default"));
    writeFileSync(join(profile, "Default", "Preferences"), JSON.stringify({ profile: { cookie_controls_mode: 0 } }));
    const allowing = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    try {
      allowing.setDefaultTimeout(10_000);
      expect(await probe(allowing)).toBe(true);
    } finally {
      await allowing.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  test("signs the shop's user in, streams, runs a host function and a host message, renews past expiry, shows an image; the main-app tab keeps its session", async () => {
    const context = await e2e.newContext();
    const user = uniqueUser("ada");
    const origin = e2e.app.origin;

    // The same person in the main app, in another tab of the same browser.
    const mainTab = await context.newPage();
    await uiLogin(mainTab, origin, user);
    const [mainSession] = (await userState(e2e.app, user)).sessions;
    expect(mainSession).toMatchObject({ revoked: false });

    const shop = await openShop(context, user, "?theme=dark&lang=fr");
    const cspViolations: string[] = [];
    shop.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });

    // It opens from the launcher, and signs the shop's user in.
    await shop.getByRole("button", { name: "Open chat" }).click();
    const frame = await chatFrame(shop);
    const input = frame.getByRole("textbox", { name: "Message" });
    await input.waitFor();
    expect(await frame.evaluate(() => ({ theme: document.documentElement.dataset.theme, lang: document.documentElement.lang }))).toEqual({
      theme: "dark",
      lang: "fr",
    });
    // The host's language is the labels' too.
    await frame.getByRole("button", { name: "Nouvelle discussion" }).waitFor();
    const SEND = "Envoyer";
    const signedIn = await userState(e2e.app, user);
    expect(signedIn.sessions).toHaveLength(2); // the main app's and the widget's: one user
    expect(host.issued.filter((entry) => entry.user === user)).toHaveLength(1);

    // A streamed reply: partial texts are seen before the whole.
    await frame.evaluate(() => {
      const w = window as unknown as { __texts: string[] };
      w.__texts = [];
      new MutationObserver(() => w.__texts.push(document.querySelector('[role="log"]')?.textContent ?? "")).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
    const words = "alpha bravo charlie delta echo foxtrot golf hotel";
    await send(frame, words, SEND);
    await logShows(frame, `You said: ${words}`);
    const texts = await frame.evaluate(() => (window as unknown as { __texts: string[] }).__texts);
    expect(new Set(texts.filter((text) => text.includes("You said") && !text.includes(`You said: ${words}`))).size).toBeGreaterThanOrEqual(2);

    // A host function, run by the app with chat.callClient through the iframe and the loader.
    await send(frame, '/call cart.add {"sku":"A-1","qty":2}', SEND);
    await logShows(frame, 'cart.add returned {"sku":"A-1","total":20}');
    expect(await shop.evaluate(() => (window as unknown as { hostCalls: unknown[] }).hostCalls)).toEqual([{ sku: "A-1", qty: 2 }]);
    await send(frame, '/call cart.remove {"sku":"A-1"}', SEND);
    await logShows(frame, "cart.remove failed: unknown_function");

    // A message from the page, sent as the user.
    await shop.evaluate(() => (window as unknown as { Parlor: { sendMessage(text: string): void } }).Parlor.sendMessage("from the shop page"));
    await logShows(frame, "You said: from the shop page");

    // With the panel closed, a reply that comes in is counted on the launcher until it opens.
    const parlor = (call: "open" | "close" | "send") =>
      shop.evaluate((which) => {
        const api = (window as unknown as { Parlor: { open(): void; close(): void; sendMessage(text: string): void } }).Parlor;
        if (which === "send") api.sendMessage("while the panel is closed");
        else api[which]();
      }, call);
    await parlor("close");
    await parlor("send");
    await shop.getByRole("button", { name: "Open chat, 1 unread" }).waitFor();
    await parlor("open");
    await logShows(frame, "You said: while the panel is closed");
    await parlor("close");
    await shop.getByRole("button", { name: "Open chat", exact: true }).waitFor();
    await parlor("open");

    // Past the access token's expiry on the server's clock: the next request is refused, and
    // the chat asks the shop for a new host token, exchanges it and carries on.
    const exchanges = e2e.app.count("POST", "/auth/token");
    const issued = host.issued.length;
    e2e.app.clock.advance((e2e.app.server.config.session.tokenTtl + 60) * 1000);

    // An image, uploaded by bearer and shown by a signed URL (an <img> sends no header).
    await frame.locator('input[type="file"]').setInputFiles({ name: "gradient.png", mimeType: "image/png", buffer: makePng(64, 48) });
    await frame.getByRole("button", { name: SEND }).waitFor();
    await eventually(
      "the attachment uploaded",
      () =>
        frame
          .getByRole("button", { name: SEND })
          .isEnabled()
          .catch(() => false),
      10_000,
    );
    await send(frame, "a picture", SEND);
    await logShows(frame, "You said: a picture");
    const image = await frame.waitForFunction(
      () => {
        const img = document.querySelector<HTMLImageElement>('[role="log"] img');
        return img && img.complete && img.naturalWidth > 0 ? { src: img.getAttribute("src"), width: img.naturalWidth } : null;
      },
      undefined,
      { timeout: 10_000 },
    );
    const { src, width } = (await image.jsonValue())!;
    expect(width).toBe(64);
    expect(src).toMatch(/\/api\/files\/[\w-]+\?exp=\d+&sig=/);
    expect(e2e.app.count("POST", "/auth/token")).toBeGreaterThan(exchanges);
    expect(host.issued.length).toBeGreaterThan(issued);
    await send(frame, "still talking after the renewal", SEND);
    await logShows(frame, "You said: still talking after the renewal");
    await screenshot(shop, "widget-on-a-shop-page");

    // The server stored it all as the user's.
    const stored = await userState(e2e.app, user);
    expect(stored.messages.filter((message) => message.role === "user").map((message) => message.content)).toEqual(
      expect.arrayContaining([words, "from the shop page", "while the panel is closed", "a picture", "still talking after the renewal"]),
    );
    expect(stored.files).toEqual([expect.objectContaining({ mime: "image/png", name: "gradient.png", messageId: expect.any(String) })]);

    // The main-app tab kept its session through all of it.
    await mainTab.reload();
    await mainTab.getByRole("textbox", { name: "Message" }).waitFor();
    expect(new URL(mainTab.url()).pathname).not.toBe("/login");
    await mainTab.getByRole("textbox", { name: "Message" }).fill("hello from the main app");
    await mainTab.getByRole("button", { name: "Send" }).click();
    await mainTab.waitForFunction(() => document.querySelector('[role="log"]')?.textContent?.includes("You said: hello from the main app"));
    const after = await userState(e2e.app, user);
    expect(after.sessions.find((session) => session.id === mainSession!.id)).toMatchObject({ revoked: false });

    // Nothing token-like where the shop's scripts could read it, or in the iframe's storage.
    const readable = await readableByTheShop(shop);
    expect(readable).toContain("shop_user="); // the scan sees the shop's own cookie
    expect(readable).not.toMatch(JWT_LIKE);
    for (const { token } of host.issued) expect(readable).not.toContain(token);
    expect(await keptByTheFrame(frame)).not.toMatch(JWT_LIKE);
    expect(cspViolations).toEqual([]);
  });
});

describe("what the chat refuses, creating nothing", () => {
  const refusedKinds: TokenKind[] = ["aud", "expired", "long", "secret", "none"];

  test.each(refusedKinds)("a host token with %s: nobody is signed in, no row is written", async (kind) => {
    const context = await e2e.newContext();
    const user = uniqueUser(`bad-${kind}`);
    const before = await tableCounts(e2e.app);
    const shop = await openShop(context, user, `?open&kind=${kind}`);
    const frame = await chatFrame(shop);
    await frame.getByRole("alert").getByText("You could not be signed in to the chat.").waitFor();
    await frame.getByText("invalid_token").waitFor();
    expect(await frame.getByRole("textbox", { name: "Message" }).count()).toBe(0);
    expect(await tableCounts(e2e.app)).toEqual(before);
    expect((await userState(e2e.app, user)).userId).toBeNull();
  });

  test("a replayed host token: the second page is refused, and nothing more is written", async () => {
    const context = await e2e.newContext();
    const user = uniqueUser("replay");
    const first = await openShop(context, user, "?open");
    await (await chatFrame(first)).getByRole("textbox", { name: "Message" }).waitFor();
    const before = await tableCounts(e2e.app);

    const second = await openShop(context, user, "?open&kind=replay");
    const frame = await chatFrame(second);
    await frame.getByText("invalid_token").waitFor();
    expect(host.issued.filter((entry) => entry.user === user).map((entry) => entry.kind)).toEqual(["good", "replay"]);
    expect(await tableCounts(e2e.app)).toEqual(before);
  });

  test("a foreign window cannot hand the chat a port or a token, or send as the user", async () => {
    const attacker: AttackerServer = await startAttacker();
    try {
      host.allowFrames(attacker.crossSiteOrigin);
      const victim = uniqueUser("victim");
      const mallory = uniqueUser("mallory");
      // A valid host token of the attacker's own user: if the chat took it, the visitor would
      // be chatting in mallory's account (and the attacker reading along).
      const malloryToken = await mintHostToken(mallory, { audience: e2e.app.origin, iat: Math.floor(e2e.app.clock.now() / 1000), lifetime: 60 });
      attacker.page("/ad", "<!doctype html><title>Ad</title><p>an ad</p>");
      const context = await e2e.newContext();
      const shop = await openShop(context, victim, `?open&ad=${encodeURIComponent(`${attacker.crossSiteOrigin}/ad`)}`);
      const frame = await chatFrame(shop);
      await frame.getByRole("textbox", { name: "Message" }).waitFor();
      const exchanges = e2e.app.count("POST", "/auth/token");

      // 1. An ad on the shop page: the chat iframe is in the widget's shadow root, which
      // `window.frames` does not list, so the ad cannot even name it (not a boundary to rely on).
      const ad = await eventually("the ad frame", () => shop.frames().find((candidate) => candidate.url().startsWith(attacker.crossSiteOrigin)) ?? null);
      expect(await ad.evaluate(() => window.parent.frames.length)).toBe(1);

      // 2. The attacker's page opens the chat page itself and feeds it a port and a token: a
      // chat with no embedding page above it starts nothing.
      const attackerPage = await context.newPage();
      await attackerPage.goto(`${attacker.crossSiteOrigin}/ad`);
      const [popup] = await Promise.all([
        attackerPage.waitForEvent("popup"),
        attackerPage.evaluate(
          (url) => void ((window as unknown as { chat: Window | null }).chat = window.open(url, "_blank")),
          `${e2e.app.origin}/embed/shop?host=${encodeURIComponent(host.origin)}`,
        ),
      ]);
      await popup.getByText("This chat opens from the site that embeds it.").waitFor();
      await attackerPage.evaluate((token) => {
        const heard: unknown[] = [];
        (window as unknown as { heard: unknown[] }).heard = heard;
        const chat = (window as unknown as { chat: Window }).chat;
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => heard.push(event.data);
        chat.postMessage({ type: "parlor:connect", version: 1 }, "*", [channel.port2]);
        channel.port1.postMessage({ type: "token", requestId: "t1", token });
        chat.postMessage({ type: "token", requestId: "t1", token }, "*");
      }, malloryToken);

      // 3. In the embedded chat itself, messages that claim to be `connect` from the wrong
      // origin, from the wrong window, or without a port are ignored; the port they carry is
      // never used (its `send-message` goes nowhere). The same message from the parent at the
      // shop's origin is taken: the control that the checks, not chance, refused the others.
      // One attempt at a time: a port taken would be closed by the next one taken.
      const attempt = (label: string, init: { origin: string; fromParent: boolean; withPort: boolean }) =>
        frame.evaluate(
          ({ label, init }) => {
            const channel = new MessageChannel();
            const heard = ((window as unknown as { heard?: unknown[] }).heard ??= []);
            channel.port1.onmessage = (event) => heard.push([label, event.data]);
            window.dispatchEvent(
              new MessageEvent("message", {
                data: { type: "parlor:connect", version: 1 },
                origin: init.origin,
                source: init.fromParent ? window.parent : window,
                ports: init.withPort ? [channel.port2] : [],
              }),
            );
            channel.port1.postMessage({ type: "send-message", text: `sent through ${label}` });
          },
          { label, init },
        );
      const refused = {
        "a foreign origin": { origin: attacker.crossSiteOrigin, fromParent: true, withPort: true },
        "another window": { origin: host.origin, fromParent: false, withPort: true },
        "no port": { origin: host.origin, fromParent: true, withPort: false },
      };
      for (const [label, init] of Object.entries(refused)) {
        await attempt(label, init);
        await sleep(300); // nothing announces a message ignored: give a taken one time to show
      }
      await attempt("the embedding page", { origin: host.origin, fromParent: true, withPort: true });
      await logShows(frame, "You said: sent through the embedding page");
      const log = await frame.evaluate(() => document.querySelector('[role="log"]')?.textContent ?? "");
      for (const label of Object.keys(refused)) expect(log).not.toContain(`sent through ${label}`);
      expect(await frame.evaluate(() => (window as unknown as { heard: unknown[] }).heard)).toEqual([]);

      // Nobody else was signed in, and the victim's chat holds only the control's message.
      expect(await attackerPage.evaluate(() => (window as unknown as { heard: unknown[] }).heard)).toEqual([]);
      expect(e2e.app.count("POST", "/auth/token")).toBe(exchanges);
      expect((await userState(e2e.app, mallory)).userId).toBeNull();
      const victimState = await userState(e2e.app, victim);
      expect(victimState.sessions).toHaveLength(1);
      expect(victimState.messages.filter((message) => message.role === "user").map((message) => message.content)).toEqual(["sent through the embedding page"]);
    } finally {
      await attacker.close();
    }
  });

  test("a site not in the embedding's origins cannot frame the chat, not even with the shop's origin as host", async () => {
    const attacker = await startAttacker();
    try {
      const exchanges = e2e.app.count("POST", "/auth/token");
      const framed = `${e2e.app.origin}/embed/shop?host=${encodeURIComponent(host.origin)}`;
      attacker.page("/frame", `<!doctype html><title>Framer</title><iframe id="chat" src="${framed}"></iframe>`);
      const context = await e2e.newContext();
      const page = await context.newPage();
      const refused = page.waitForEvent("console", (message) => /frame-ancestors/.test(message.text()));
      await page.goto(`${attacker.crossSiteOrigin}/frame`);
      await refused;
      const child = page.frames().find((frame) => frame !== page.mainFrame())!;
      expect(child.url()).not.toContain("/embed/shop");
      expect(await page.evaluate(() => document.querySelector("iframe")!.contentWindow!.length)).toBe(0);

      // With its own origin as host, the server does not serve the chat at all.
      const direct = await fetch(`${e2e.app.origin}/embed/shop?host=${encodeURIComponent(attacker.crossSiteOrigin)}`);
      expect(direct.status).toBe(403);
      expect(e2e.app.count("POST", "/auth/token")).toBe(exchanges);
    } finally {
      await attacker.close();
    }
  });
});
