/**
 * Rich replies in Chromium under the server's strict CSP: code blocks (highlighted by a chunk
 * loaded only then, language label, copy, side panel), KaTeX math (its own chunk, stylesheet
 * and fonts, no CSP violation), timestamps and "Copy message", and files inline: a PDF in a
 * frame of the app's own origin (and no other site's), audio that plays.
 */
import type { Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { eventually } from "@parlor/test-support";
import { screenshot, startAttacker, uiLogin, uniqueUser, useE2E, type AttackerServer } from "./fixture.js";
import { CODE, LONG_CODE, showcaseApp } from "./showcase-app.js";

const e2e = useE2E({ webUi: true, app: showcaseApp() });

let attacker: AttackerServer;
beforeAll(async () => {
  attacker = await startAttacker();
});
afterAll(() => attacker.close());

interface Watched {
  page: Page;
  /** Paths of the app's script and stylesheet files the page has loaded so far. */
  assets(): string[];
  /** CSP violations, from the page's event and its console. */
  violations(): Promise<string[]>;
}

/** A signed-in page whose requests and CSP violations are recorded from the start. */
async function signedInPage(options: Parameters<typeof e2e.newPage>[0] = {}): Promise<Watched> {
  const page = await e2e.newPage(options);
  const requests: Request[] = [];
  const console: string[] = [];
  page.on("request", (request) => void requests.push(request));
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) console.push(message.text());
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (event) => w.__csp.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  await uiLogin(page, e2e.app.origin, uniqueUser("rich"));
  return {
    page,
    assets: () => requests.map((request) => new URL(request.url()).pathname).filter((path) => path.startsWith("/assets/")),
    violations: async () => [...console, ...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp))],
  };
}

async function send(page: Page, text: string) {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

/** The latest reply, once it has ended. */
async function lastReply(page: Page) {
  const reply = page.getByRole("article", { name: "Assistant" }).last();
  await reply.locator(".message-time").waitFor();
  return reply;
}

describe("code blocks", () => {
  test("are highlighted by a chunk loaded with the first one, labelled, and copied exactly", async () => {
    const { page, assets, violations } = await signedInPage({ permissions: ["clipboard-read", "clipboard-write"] });
    await send(page, "hello");
    await lastReply(page);
    // The renderer is loaded; the highlighter is not, as no reply had code yet.
    expect(assets().some((path) => /\/Markdown-[\w-]+\.js$/.test(path))).toBe(true);
    expect(assets().filter((path) => path.includes("highlight-plugin"))).toEqual([]);

    await send(page, "code");
    const reply = await lastReply(page);
    const block = reply.locator("figure.code-block");
    await block.waitFor();
    expect(await block.locator(".code-block-language").textContent()).toBe("ts");
    await block.locator(".hljs-keyword").first().waitFor();
    expect(assets().filter((path) => path.includes("highlight-plugin"))).toHaveLength(1);

    await block.getByRole("button", { name: "Copy code" }).click();
    await block.getByRole("button", { name: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(CODE);
    await screenshot(page, "rich-code");
    expect(await violations()).toEqual([]);
  });

  test("a long one opens in the side panel, which Escape closes", async () => {
    const { page } = await signedInPage();
    await send(page, "long code");
    const block = (await lastReply(page)).locator("figure.code-block");
    await block.getByRole("button", { name: "Open in panel" }).click();
    const panel = page.getByRole("complementary", { name: "Side panel" });
    await panel.waitFor();
    expect(await panel.getByRole("heading").textContent()).toBe("python");
    expect((await panel.locator("code").textContent())?.replace(/\n$/, "")).toBe(LONG_CODE);
    await page.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });
    // Focus goes back to the button that opened it.
    expect(await block.getByRole("button", { name: "Open in panel" }).evaluate((button) => button === document.activeElement)).toBe(true);
  });
});

describe("math", () => {
  test("is typeset by KaTeX, loaded only then, with its stylesheet and fonts, and no CSP violation", async () => {
    const { page, assets, violations } = await signedInPage();
    await send(page, "hello");
    await lastReply(page);
    expect(assets().filter((path) => path.includes("math-plugins"))).toEqual([]);

    await send(page, "math");
    const reply = await lastReply(page);
    await reply.locator(".katex-display").waitFor();
    expect(await reply.locator(".katex").count()).toBe(2);
    // The MathML copy carries the source, for screen readers.
    expect(await reply.locator(".katex-mathml annotation").first().textContent()).toBe("e^{i\\pi} + 1 = 0");
    expect(assets().filter((path) => /math-plugins-[\w-]+\.(js|css)$/.test(path)).length).toBe(2);

    // KaTeX's sizes are inline styles: React sets them through the CSSOM, which the CSP allows.
    const struts = await reply.locator(".katex-html .strut").evaluateAll((elements) => elements.map((element) => (element as HTMLElement).style.height));
    expect(struts.length).toBeGreaterThan(0);
    expect(struts.every((height) => height.endsWith("em"))).toBe(true);
    // Its stylesheet applies (a KaTeX rule), and its font loads from this origin.
    expect(
      await reply
        .locator(".katex")
        .first()
        .evaluate((element) => getComputedStyle(element).fontFamily),
    ).toContain("KaTeX_Main");
    await eventually("a KaTeX font loaded", () =>
      page.evaluate(() => [...document.fonts].some((font) => font.family.includes("KaTeX") && font.status === "loaded")),
    );
    await screenshot(page, "rich-math");
    expect(await violations()).toEqual([]);
  });
});

describe("messages", () => {
  test("show when they were sent, and copy their text", async () => {
    const { page } = await signedInPage({ permissions: ["clipboard-read", "clipboard-write"] });
    await send(page, "what time is it");
    const reply = await lastReply(page);
    const question = page.getByRole("article", { name: "You" }).last();
    for (const message of [question, reply]) {
      const dateTime = await message.locator("time").getAttribute("datetime");
      expect(Math.abs(Date.parse(dateTime!) - Date.now())).toBeLessThan(60_000);
      expect(await message.locator("time").textContent()).toMatch(/\d/);
    }
    await reply.hover();
    await reply.getByRole("button", { name: "Copy message" }).click();
    await reply.getByRole("button", { name: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("You said: what time is it");
  });
});

describe("files inline", () => {
  test("a PDF is shown in a frame of the app's own origin, and opens in the side panel", async () => {
    const { page, violations } = await signedInPage();
    await send(page, "pdf");
    const reply = await lastReply(page);
    const frame = reply.locator('iframe[title="report.pdf"]');
    await frame.waitFor();
    const src = await frame.getAttribute("src");
    expect(src).toMatch(/^\/api\/files\/[\w-]+$/);
    // Chromium's PDF viewer took the document (it refuses a frame the server did not allow).
    await eventually("the PDF viewer in the frame", async () => page.frames().some((candidate) => candidate.url().startsWith("chrome-extension://")));

    await reply.getByRole("button", { name: "Open report.pdf in panel" }).click();
    const panel = page.getByRole("complementary", { name: "Side panel" });
    expect(await panel.locator("iframe").getAttribute("src")).toBe(src);
    await screenshot(page, "rich-pdf-panel");
    expect(await violations()).toEqual([]);

    // Another site cannot frame it, even with the user's cookie riding along (same site).
    const fileUrl = `${e2e.app.origin}${src}`;
    attacker.page("/frame-pdf", `<!doctype html><iframe id="victim" src="${fileUrl}"></iframe>`);
    const evil = await page.context().newPage();
    const blocked = evil.waitForEvent("console", (message) => /frame-ancestors|Refused to (display|frame)/i.test(message.text()));
    await evil.goto(`${attacker.sameSiteOrigin}/frame-pdf`);
    expect((await blocked).text()).toMatch(/violates the following Content Security Policy directive: "frame-ancestors 'self'"/);
    expect(
      await evil
        .frames()[1]
        ?.evaluate(() => document.body?.textContent ?? "")
        .catch(() => ""),
    ).not.toContain("Quarterly report");
  });

  test("audio is a player that loads the file", async () => {
    const { page } = await signedInPage();
    await send(page, "audio");
    const audio = (await lastReply(page)).locator("audio");
    await audio.waitFor();
    expect(await audio.getAttribute("controls")).not.toBeNull();
    expect(await audio.getAttribute("aria-label")).toBe("chime.wav");
    await eventually("the audio's metadata loaded", async () => (await audio.evaluate((element: HTMLAudioElement) => element.readyState)) >= 1);
    expect(await audio.evaluate((element: HTMLAudioElement) => element.duration)).toBeCloseTo(0.1, 2);
  });
});
