/// <reference lib="dom" />
/**
 * The widget's partitioned (CHIPS) cookie mode end to end (`embeds.shop.cookie:
 * "partitioned"`, docs/embed.md section 7), in Chromium with third-party cookies blocked (as
 * in widget.test.ts: fresh profiles and `--test-third-party-cookie-phaseout`). The shop at
 * `http://127.0.0.1:<p1>` (host-site.ts) embeds the app at `http://localhost:<p2>`:
 *
 * - the chat signs the shop's user in with one host token, and the exchange leaves a
 *   Partitioned cookie (keyed by the shop's site) while an ordinary third-party cookie set in
 *   the same iframe is dropped: the browser blocks those, and keeps this one;
 * - a reload of the shop page signs in again from the cookie, without a new host token;
 * - the same user's main-app tab keeps its own session: a logout in the iframe does not log
 *   the main tab out, and a logout in the main tab does not log the iframe out;
 * - where the cookie is not kept (a browser without CHIPS, simulated by dropping the
 *   exchange's Set-Cookie), the iframe ends the session it opened and runs in bearer mode.
 *
 * Needs the built UI and widget (`npm run build`).
 */
import { eventually, TEST_EMBED_SECRET } from "@parlor/test-support";
import { defineApp } from "parlor";
import type { BrowserContext, Frame, Page } from "playwright-core";
import { beforeAll, describe, expect, test, vi } from "vitest";
import { DEMO_PASSWORD, pageFetch, uiLogin, uniqueUser, userState, useE2E, WORD_DELAY_MS } from "./fixture.js";
import { startHostSite, type HostSite } from "./host-site.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

/** A shop user is the app's user of the same name, so the main app and the widget share one person. */
function partitionedApp() {
  return defineApp({
    name: "Parlor partitioned widget E2E",
    auth: {
      password: ({ username, password }) => (password === DEMO_PASSWORD ? { identifier: username, displayName: username } : null),
      embed: (claims) => ({ identifier: claims.sub, displayName: claims.name ?? claims.sub }),
    },
    async onMessage(message, chat) {
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
beforeAll(async () => {
  host = await startHostSite({ parlorUrl: () => e2e.app.origin, now: () => e2e.app.clock.now() });
});
const e2e = useE2E({
  webUi: true,
  app: partitionedApp(),
  server: () => ({ embeds: { shop: { secret: TEST_EMBED_SECRET, origins: [host.origin], cookie: "partitioned" } } }),
  chromiumArgs: ["--test-third-party-cookie-phaseout"],
});

async function openShop(context: BrowserContext, user: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${host.origin}/login?user=${encodeURIComponent(user)}&next=${encodeURIComponent("/?open")}`);
  return page;
}

/** The chat iframe of the shop page, once signed in (its message box shows). */
async function signedInFrame(page: Page): Promise<Frame> {
  const frame = await eventually(
    "the chat iframe",
    () => page.frames().find((candidate) => candidate.url().startsWith(`${e2e.app.origin}/embed/shop?`)) ?? null,
    10_000,
  );
  await frame.getByRole("textbox", { name: "Message" }).waitFor();
  return frame;
}

async function chat(frame: Frame, text: string): Promise<void> {
  await frame.getByRole("textbox", { name: "Message" }).fill(text);
  await frame.getByRole("button", { name: "Send" }).click();
  await frame.waitForFunction((expected) => document.querySelector('[role="log"]')?.textContent?.includes(`You said: ${expected}`) === true, text, {
    timeout: 15_000,
  });
}

/** `fetch` from the chat iframe (same-origin with the app, its partitioned cookie attached by the browser). */
function frameFetch(frame: Frame, path: string, init: { method?: string; csrfToken?: string } = {}) {
  return frame.evaluate(
    async ({ path, init }) => {
      const response = await fetch(path, { method: init.method ?? "GET", headers: init.csrfToken ? { "x-csrf-token": init.csrfToken } : {} });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as { csrfToken?: string; session?: { id: string } }) : null };
    },
    { path, init },
  );
}

describe("the widget with a partitioned session cookie", () => {
  test("signs in with one host token, a reload signs in from the cookie, and the main-app tab keeps its own session both ways", async () => {
    const context = await e2e.newContext();
    const user = uniqueUser("chips");
    const origin = e2e.app.origin;
    const cookieName = e2e.app.cookieName;
    const tokensOf = () => host.issued.filter((entry) => entry.user === user).length;

    // The same person in the main app, in another tab of the same browser.
    const mainTab = await context.newPage();
    await uiLogin(mainTab, origin, user);
    const [mainSession] = (await userState(e2e.app, user)).sessions;

    // The shop's chat: one host token, exchanged; the answer leaves a partitioned cookie.
    const exchanges = e2e.app.count("POST", "/auth/token");
    const shop = await openShop(context, user);
    let frame = await signedInFrame(shop);
    expect(tokensOf()).toBe(1);
    expect(e2e.app.count("POST", "/auth/token")).toBe(exchanges + 1);
    await chat(frame, "hello from the partitioned chat");

    const cookies = (await context.cookies(origin)).filter((cookie) => cookie.name === cookieName);
    const partitioned = cookies.filter((cookie) => cookie.partitionKey !== undefined);
    const unpartitioned = cookies.filter((cookie) => cookie.partitionKey === undefined);
    expect(partitioned).toHaveLength(1);
    expect(partitioned[0]).toMatchObject({ httpOnly: true, secure: true, sameSite: "None", path: "/" });
    expect(partitioned[0]!.partitionKey).toContain("127.0.0.1"); // the shop's site, the top level
    expect(unpartitioned).toHaveLength(1); // the main app's own, untouched
    expect(unpartitioned[0]!.value).not.toBe(partitioned[0]!.value);

    // The control: third-party cookies are blocked here. An ordinary one set in the same
    // iframe is dropped, which is why only a Partitioned cookie can carry the session.
    await frame.evaluate(() => {
      document.cookie = "probe3p=1; Path=/; SameSite=None; Secure";
    });
    expect((await context.cookies(origin)).some((cookie) => cookie.name === "probe3p")).toBe(false);

    // A reload of the shop page: signed in from the cookie, no new host token, same session.
    const firstSession = (await frameFetch(frame, "/auth/me")).body!.session!.id;
    await shop.reload();
    frame = await signedInFrame(shop);
    expect(tokensOf()).toBe(1);
    expect(e2e.app.count("POST", "/auth/token")).toBe(exchanges + 1);
    expect((await frameFetch(frame, "/auth/me")).body!.session!.id).toBe(firstSession);
    await chat(frame, "still here after the reload");

    // A logout in the iframe ends its session only: the main tab stays signed in.
    const csrfToken = (await frameFetch(frame, "/auth/me")).body!.csrfToken!;
    expect((await frameFetch(frame, "/auth/logout", { method: "POST", csrfToken })).status).toBe(204);
    expect((await frameFetch(frame, "/auth/me")).status).toBe(401);
    await mainTab.reload();
    await mainTab.getByRole("textbox", { name: "Message" }).waitFor();
    expect(new URL(mainTab.url()).pathname).not.toBe("/login");
    expect((await pageFetch(mainTab, "/auth/me")).body.session.id).toBe(mainSession!.id);

    // The shop page again: the iframe has no session, asks the shop for a token once more.
    await shop.reload();
    frame = await signedInFrame(shop);
    expect(tokensOf()).toBe(2);
    const secondSession = (await frameFetch(frame, "/auth/me")).body!.session!.id;
    expect(secondSession).not.toBe(firstSession);

    // And the other way: a logout in the main tab leaves the iframe signed in.
    const mainCsrf = (await pageFetch(mainTab, "/auth/me")).body.csrfToken as string;
    expect((await pageFetch(mainTab, "/auth/logout", { method: "POST", csrfToken: mainCsrf })).status).toBe(204);
    expect((await pageFetch(mainTab, "/auth/me")).status).toBe(401);
    await shop.reload();
    frame = await signedInFrame(shop);
    expect(tokensOf()).toBe(2);
    expect((await frameFetch(frame, "/auth/me")).body!.session!.id).toBe(secondSession);
    await chat(frame, "the main tab logged out, not me");

    const state = await userState(e2e.app, user);
    expect(state.sessions.find((session) => session.id === mainSession!.id)).toMatchObject({ revoked: true });
    expect(state.sessions.find((session) => session.id === firstSession)).toMatchObject({ revoked: true });
    expect(state.sessions.find((session) => session.id === secondSession)).toMatchObject({ revoked: false });
  });

  test("where the browser does not keep the cookie, the iframe ends the session it opened and falls back to bearer mode", async () => {
    const context = await e2e.newContext();
    const user = uniqueUser("nochips");
    const tokensOf = () => host.issued.filter((entry) => entry.user === user).length;
    // A browser without CHIPS (Safari today) drops the Partitioned cookie: the exchange's
    // Set-Cookie never reaches the jar. Sent from Node, not with `route.fetch()`, which would
    // store the cookie in the context itself.
    await context.route(`${e2e.app.origin}/auth/token`, async (route) => {
      const request = route.request();
      const response = await fetch(request.url(), { method: request.method(), headers: await request.allHeaders(), body: request.postData() });
      const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== "set-cookie"));
      await route.fulfill({ status: response.status, headers, body: Buffer.from(await response.arrayBuffer()) });
    });

    const shop = await openShop(context, user);
    const frame = await signedInFrame(shop);
    await chat(frame, "signed in without the cookie");
    expect(tokensOf()).toBe(2); // one for the dropped cookie, one for bearer mode
    expect((await context.cookies(e2e.app.origin)).filter((cookie) => cookie.name === e2e.app.cookieName)).toEqual([]);
    const sessions = (await userState(e2e.app, user)).sessions;
    expect(sessions.map((session) => session.revoked)).toEqual([true, false]);
    // The chat runs on a bearer token now: without a cookie, /auth/me from the iframe is 401.
    expect((await frameFetch(frame, "/auth/me")).status).toBe(401);
  });
});
