/// <reference lib="dom" />
/**
 * A separate frontend built with @parlor/react, in Chromium: on Parlor's site with the cookie
 * (logs in, chats, shows an uploaded image from `fileUrl`), on another site in bearer mode,
 * and what a page on an origin outside `allowedOrigins` gets: nothing readable, no image, and
 * an error that says which setting to change.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { HOST_USER, PASSWORD, useFrontendWorld } from "./frontend-world.js";

const world = useFrontendWorld();

/** A 2×2 PNG. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==", "base64");

const text = (page: Page, selector: string) => page.locator(selector).textContent();

/** Attaches the PNG, sends a message with it, and waits for the echo and the image. */
async function chatWithImage(page: Page, message: string) {
  await page.locator("#connection").filter({ hasText: "connected" }).waitFor();
  await page.setInputFiles("#file", { name: "photo.png", mimeType: "image/png", buffer: PNG });
  await page.locator("#attached").filter({ hasText: "1" }).waitFor();
  await page.fill("#message", message);
  await page.click("#send");
  await page
    .locator('li[data-role="assistant"][data-status="complete"]')
    .filter({ hasText: `You said: ${message}` })
    .waitFor();
  const picture = page.locator('li[data-role="user"] img.picture');
  await picture.and(page.locator('[data-loaded="yes"]')).waitFor();
  return picture;
}

/** What a script on `page` can do with Parlor: read the API with the cookie, load an image plainly or in CORS mode. */
function probe(page: Page, fileUrl: string) {
  return page.evaluate(async (url) => {
    const load = (crossOrigin: string | null) =>
      new Promise<string>((done) => {
        const img = document.createElement("img");
        if (crossOrigin !== null) img.crossOrigin = crossOrigin;
        img.onload = () => done(img.naturalWidth > 0 ? "loaded" : "empty");
        img.onerror = () => done("blocked");
        img.src = url;
      });
    let api: string;
    try {
      const response = await fetch(new URL("/auth/me", url), { credentials: "include" });
      api = `read ${response.status}: ${await response.text()}`;
    } catch (error) {
      api = `failed: ${String(error)}`;
    }
    return { api, plainImage: await load(null), corsImage: await load("use-credentials") };
  }, fileUrl);
}

describe("a separate frontend on Parlor's site (cookie mode)", () => {
  it("logs in, chats, and shows an uploaded image from fileUrl; other origins of the site can neither read nor show it", async () => {
    const context = await world.newContext();
    const page = await context.newPage();
    await world.openFrontend(page, world.sameSiteOrigin);
    expect(await text(page, "#status")).toBe("unauthenticated");
    await page.fill("#username", "ada");
    await page.fill("#password", PASSWORD);
    await page.click("#login");
    await page
      .locator("#status")
      .filter({ hasText: /^authenticated$/ })
      .waitFor();
    expect(await text(page, "#user")).toBe("ada");

    const picture = await chatWithImage(page, "hello from my own frontend");
    const src = (await picture.getAttribute("src"))!;
    expect(src).toMatch(new RegExp(`^${world.parlor.origin}/api/files/[^/?]+$`)); // fileUrl: no token in it
    expect(await picture.getAttribute("crossorigin")).toBe("use-credentials");
    expect(await picture.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(2);
    // The session is Parlor's HttpOnly cookie; the frontend's own storage holds nothing.
    const cookies = await context.cookies(world.parlor.origin);
    expect(cookies.map((cookie) => [cookie.httpOnly, cookie.sameSite])).toEqual([[true, "Lax"]]);
    expect(await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie])).toEqual([0, 0, ""]);

    // The same browser, the cookie at hand (same site): a page on an origin outside
    // allowedOrigins reads nothing and shows no image, plain (CORP) or in CORS mode.
    const attacker = await context.newPage();
    await attacker.goto(`${world.foreignOrigin}/blank`);
    const fromForeign = await probe(attacker, src);
    expect(fromForeign).toEqual({ api: expect.stringMatching(/^failed: TypeError/), plainImage: "blocked", corsImage: "blocked" });
    // The allowed origin itself: CORS mode loads, a plain <img> is blocked by CORP too.
    const fromFrontend = await probe(page, src);
    expect(fromFrontend.api).toMatch(/^read 200: .*"identifier":"ada"/);
    expect(fromFrontend).toMatchObject({ plainImage: "blocked", corsImage: "loaded" });
  });
});

describe("a page on an origin outside allowedOrigins", () => {
  it("gets origin_not_allowed naming its origin and the setting, not a network error; the server warns once", async () => {
    const page = await (await world.newContext()).newPage();
    await world.openFrontend(page, world.foreignOrigin);
    expect(await text(page, "#status")).toBe("unauthenticated");
    expect(await text(page, "#error-code")).toBe("origin_not_allowed");
    const message = (await text(page, "#error-message"))!;
    expect(message).toContain(`(${world.foreignOrigin})`);
    expect(message).toContain("PARLOR_ALLOWED_ORIGINS");
    expect(message).toContain("server.allowedOrigins");

    // A login attempt from there says the same.
    await page.fill("#username", "eve");
    await page.fill("#password", PASSWORD);
    await page.click("#login");
    await page.waitForTimeout(300); // nothing to wait for: the error was already there
    expect(await text(page, "#error-code")).toBe("origin_not_allowed");
    const created = await world.parlor.server.db.selectFrom("users").select("id").where("identifier", "=", "eve").execute();
    expect(created).toEqual([]);

    const warnings = world.parlor.logs.filter((line: { origin?: string }) => line.origin === world.foreignOrigin);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toContain("PARLOR_ALLOWED_ORIGINS");
  });

  it("still reports a server that is down as network_error", async () => {
    const page = await (await world.newContext()).newPage();
    await world.openFrontend(page, world.sameSiteOrigin, "cookie", "http://localhost:9");
    expect(await text(page, "#error-code")).toBe("network_error");
  });
});

describe("a separate frontend on another site (bearer mode)", () => {
  it("is logged in by host tokens, chats and shows images through signed URLs, with no cookie at all", async () => {
    const context = await world.newContext();
    const page = await context.newPage();
    await world.openFrontend(page, world.crossSiteOrigin, "bearer");
    expect(await text(page, "#status")).toBe("authenticated");
    expect(await text(page, "#user")).toBe(`embed:shop:${HOST_USER}`);

    const picture = await chatWithImage(page, "hello from another site");
    const src = (await picture.getAttribute("src"))!;
    expect(src).toMatch(new RegExp(`^${world.parlor.origin}/api/files/[^/?]+\\?exp=\\d+&sig=`));
    expect(await picture.getAttribute("crossorigin")).toBe("anonymous");
    expect(await context.cookies(world.parlor.origin)).toEqual([]);
    expect(await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie])).toEqual([0, 0, ""]);
    // The access token lives in the client's memory: nowhere in the page's DOM.
    const html = await page.content();
    for (const token of world.issuedTokens) expect(html).not.toContain(token.split(".")[2]);
    expect(html).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it("cannot work with the cookie: its login succeeds, yet the browser never sends the Lax cookie back across sites", async () => {
    const page = await (await world.newContext()).newPage();
    await world.openFrontend(page, world.crossSiteOrigin, "cookie");
    await page.fill("#username", "grace");
    await page.fill("#password", PASSWORD);
    await page.click("#login");
    await page.locator("#error-code").filter({ hasText: "unauthenticated" }).waitFor();
    expect(await text(page, "#status")).toBe("unauthenticated");
    // The login itself went through (the origin is allowed): only the cookie stayed behind.
    const db = world.parlor.server.db;
    const user = await db.selectFrom("users").select("id").where("identifier", "=", "grace").executeTakeFirstOrThrow();
    expect(await db.selectFrom("sessions").select("id").where("user_id", "=", user.id).execute()).toHaveLength(1);
  });
});
