/**
 * The app's face and the UI's language, in Chromium against a real server: the name, logo and
 * accent colour of `defineApp({ ui })` everywhere the UI used to say "Parlor"; French from the
 * browser's languages (the chat's controls included) and the account menu; "Sign out everywhere" asks first; a file over the
 * upload limit is refused with the limit, announced; chat titles without Markdown.
 */
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { eventually } from "@parlor/test-support";
import { DEMO_PASSWORD, pageFetch, tableCounts, uiLogin, uniqueUser, useE2E, userState } from "./fixture.js";
import { ACCENT, APP_NAME, MAX_UPLOAD_BYTES, showcaseApp } from "./showcase-app.js";

const e2e = useE2E({ webUi: true, app: showcaseApp(), server: { files: { maxUploadBytes: MAX_UPLOAD_BYTES } } });

/** Every CSP violation the page reports, from its first script on. */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (event) => w.__csp.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  return () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
}

/** Whether an <img> has loaded a real picture. */
const loaded = (page: Page, selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0);

describe("the app's face", () => {
  test("the login page and the chat show the app's name and logo, never 'Parlor', in its accent colour", async () => {
    const page = await e2e.newPage();
    const violations = await watchCsp(page);
    await page.goto(`${e2e.app.origin}/login`);
    await page.getByRole("heading", { name: `Sign in to ${APP_NAME}` }).waitFor();
    expect(await page.title()).toBe(`Sign in · ${APP_NAME}`);
    expect(await page.getByTestId("app-logo").first().getAttribute("src")).toMatch(/^\/auth\/logo\?v=[\w-]{16}$/);
    expect(await loaded(page, '[data-testid="app-logo"]')).toBe(true);
    expect(await page.locator(".login-footer").textContent()).toContain(`${APP_NAME} never stores a token`);

    await page.getByLabel("Username").fill(uniqueUser("face"));
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    const composer = page.getByRole("textbox", { name: "Message" });
    await composer.waitFor();
    expect(await composer.getAttribute("placeholder")).toBe(`Message ${APP_NAME}…`);
    expect(await page.title()).toBe(APP_NAME);
    await page.getByRole("link", { name: `${APP_NAME}, new chat` }).waitFor();
    expect(await loaded(page, '.sidebar [data-testid="app-logo"]')).toBe(true);
    // The empty chat's greeting carries the app's logo, once, and not the built-in mark.
    expect(await page.locator(".welcome").locator('[data-testid="app-logo"], .logo-mark').count()).toBe(1);
    expect(await loaded(page, '.welcome [data-testid="app-logo"]')).toBe(true);
    expect(await page.locator("body").innerText()).not.toContain("Parlor");

    // The accent colour, applied through the CSSOM (no style attribute in the markup), with
    // white text on it (the darker teal reads better with white).
    await composer.fill("hello");
    const send = page.getByRole("button", { name: "Send" });
    const colours = () => send.evaluate((button) => ({ background: getComputedStyle(button).backgroundColor, text: getComputedStyle(button).color }));
    // The button fades in from its disabled colour (a CSS transition): wait until it settles.
    await eventually("the Send button in the accent colour", async () => (await colours()).background === "rgb(15, 118, 110)");
    expect(await colours()).toEqual({ background: "rgb(15, 118, 110)", text: "rgb(255, 255, 255)" });
    expect(await page.evaluate(() => document.documentElement.style.getPropertyValue("--accent"))).toBe(ACCENT);
    expect(await violations()).toEqual([]);
  });
});

describe("the UI's language", () => {
  test("follows the browser's languages, and the account menu switches it for good", async () => {
    const page = await e2e.newPage({ locale: "fr-FR" });
    await page.goto(`${e2e.app.origin}/login`);
    await page.getByRole("heading", { name: `Se connecter à ${APP_NAME}` }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("fr");
    await page.getByLabel("Nom d’utilisateur").fill(uniqueUser("fr"));
    await page.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.getByRole("textbox", { name: "Message" }).waitFor();
    expect(await page.getByRole("textbox", { name: "Message" }).getAttribute("placeholder")).toBe(`Écrire à ${APP_NAME}…`);
    await page.getByRole("button", { name: "Nouvelle discussion" }).waitFor();

    // The controls under the messages speak it too: feedback, with its comment, and edit.
    await page.getByRole("textbox", { name: "Message" }).fill("bonjour");
    await page.getByRole("textbox", { name: "Message" }).press("Enter");
    const reply = page.getByRole("article", { name: "Assistant" });
    await reply.getByRole("button", { name: "Bonne réponse" }).click();
    await page.getByLabel("Qu’est-ce qui vous a plu ? (facultatif)").waitFor();
    await page.getByRole("article", { name: "Vous" }).getByRole("button", { name: "Modifier le message" }).waitFor();

    await page.getByRole("button", { name: "Compte" }).click();
    await page.getByRole("combobox", { name: "Langue" }).selectOption("en");
    await page.getByRole("button", { name: "New chat" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    expect(await page.getByRole("textbox", { name: "Message" }).getAttribute("placeholder")).toBe(`Message ${APP_NAME}…`);
    // The open comment form switches with the rest of the page.
    await page.getByLabel("What was good? (optional)").waitFor();
    expect(await reply.getByRole("button", { name: "Good reply" }).getAttribute("aria-pressed")).toBe("true");

    // The choice outlives a reload, over the browser's French.
    await page.reload();
    await page.getByRole("button", { name: "New chat" }).waitFor();
    expect(await page.getByRole("button", { name: "Nouvelle discussion" }).count()).toBe(0);
  });
});

describe("sign out everywhere", () => {
  test("asks first: Cancel ends nothing, confirming ends every session of the account", async () => {
    const username = uniqueUser("everywhere");
    const pageA = await e2e.newPage();
    const pageB = await e2e.newPage();
    await uiLogin(pageA, e2e.app.origin, username);
    await uiLogin(pageB, e2e.app.origin, username);
    await pageB.goto(`${e2e.app.origin}/sessions`);
    await eventually("two sessions listed", async () => (await pageB.getByRole("button", { name: "Revoke" }).count()) === 2);

    await pageB.getByRole("button", { name: "Sign out everywhere" }).click();
    const dialog = pageB.getByRole("dialog", { name: "Sign out everywhere?" });
    await dialog.waitFor();
    // Focus starts on Cancel: Enter never signs everyone out by accident.
    expect(await dialog.getByRole("button", { name: "Cancel" }).evaluate((button) => button === document.activeElement)).toBe(true);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect((await userState(e2e.app, username)).sessions.map((session) => session.revoked)).toEqual([false, false]);
    expect((await pageFetch(pageA, "/auth/me")).status).toBe(200);

    await pageB.getByRole("button", { name: "Sign out everywhere" }).click();
    await dialog.getByRole("button", { name: "Sign out everywhere" }).click();
    await pageB.waitForURL((url) => url.pathname === "/login");
    await pageA.waitForURL((url) => url.pathname === "/login");
    expect((await userState(e2e.app, username)).sessions.map((session) => session.revoked)).toEqual([true, true]);
  });
});

describe("uploads over the limit", () => {
  test("are refused before sending a byte, with the limit stated in an alert", async () => {
    const page = await e2e.newPage();
    await uiLogin(page, e2e.app.origin, uniqueUser("big"));
    await page.getByText(/Files up to 64\skB/).waitFor();
    const before = await tableCounts(e2e.app);
    const uploads: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/api/files")) uploads.push(request.method());
    });

    await page.getByTestId("file-input").setInputFiles({ name: "huge.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(MAX_UPLOAD_BYTES + 1) });
    const alert = page.getByRole("alert").filter({ hasText: "huge.bin" });
    await alert.waitFor();
    expect((await alert.textContent())?.replace(/\s/g, " ")).toBe("huge.bin: That file is too large. Files up to 64 kB are accepted.");
    expect(uploads).toEqual([]);
    expect(await tableCounts(e2e.app)).toEqual(before);
    // Nothing to send: the failed file is not an attachment.
    expect(await page.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);
  });
});

describe("chat titles", () => {
  test("are shown without their Markdown, which the server keeps as written", async () => {
    const username = uniqueUser("title");
    const page = await e2e.newPage();
    await uiLogin(page, e2e.app.origin, username);
    await page.getByRole("textbox", { name: "Message" }).fill("**Deploy** the `api` to [staging](https://example.com)");
    await page.getByRole("button", { name: "Send" }).click();
    const link = page.getByRole("navigation", { name: "Chat history" }).getByRole("link").first();
    await eventually("the thread is listed", async () => (await link.count()) === 1);
    await eventually("named", async () => (await link.textContent()) === "Deploy the api to staging");
    expect(await page.locator(".topbar-title").textContent()).toBe("Deploy the api to staging");
    const threads = await pageFetch(page, "/api/threads");
    expect(threads.body.threads[0].name).toContain("**Deploy**");
  });
});
