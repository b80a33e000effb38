/// <reference lib="dom" />
/**
 * Replies that did not end as "complete", in a real browser after a reload: a server that
 * stopped or crashed while writing a reply leaves it `interrupted` (or, on an older server,
 * `streaming` for good), and a reply the user stopped is `stopped`. The status is set in the
 * database directly, as the server stores it, then the page is reloaded. Each must:
 * - show how it ended (a badge), with no caret and no Stop button;
 * - leave the composer usable (the echo app answers the next message);
 * - for an interrupted reply, offer Retry, which sends the question before it again.
 * Screenshots (light and dark) go to test-output/screenshots/.
 *
 * Needs the built UI (`npm run build`); fails with a clear message without it.
 */
import type { Page } from "playwright-core";
import { describe, expect, test, vi } from "vitest";
import { eventually, screenshot, uiLogin, uniqueUser, userState, useE2E } from "./fixture.js";

vi.setConfig({ testTimeout: 40_000, hookTimeout: 30_000 });

const e2e = useE2E({ webUi: true });

const logText = (page: Page) => page.evaluate(() => document.querySelector('[role="log"]')?.textContent ?? "");

/**
 * Logs in, asks a question, waits for the whole echo, then stores the reply with `status`
 * and a partial text, as the server leaves it; reloads the thread's page.
 */
async function threadWithReply(status: string, options: { colorScheme?: "light" | "dark" } = {}) {
  const page = await e2e.newPage({ viewport: { width: 1000, height: 700 }, colorScheme: options.colorScheme ?? "light" });
  const username = uniqueUser(`reply-${status}`);
  await uiLogin(page, e2e.app.origin, username);
  const question = "tell me about the lighthouse keeper";
  await page.getByRole("textbox", { name: "Message" }).fill(question);
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForFunction((text) => document.querySelector('[role="log"]')?.textContent?.includes(text), `You said: ${question}`);
  await page.waitForURL((url) => url.pathname !== "/");
  await eventually("the reply stored", async () =>
    (await userState(e2e.app, username)).messages.some((m) => m.role === "assistant" && m.status === "complete"),
  );

  const { userId } = await userState(e2e.app, username);
  const threads = await e2e.app.server.db.selectFrom("threads").select("id").where("user_id", "=", userId!).execute();
  await e2e.app.server.db
    .updateTable("messages")
    .set({ status: status as "complete", content: "You said: tell me about" })
    .where("role", "=", "assistant")
    .where("thread_id", "=", threads[0]!.id)
    .execute();

  await page.reload();
  await page.getByRole("textbox", { name: "Message" }).waitFor();
  await page.waitForFunction(() => document.querySelector('[role="log"]')?.textContent?.includes("You said: tell me about"));
  return { page, username, question };
}

/** No caret, no typing dots, no Stop: nothing claims the reply is still being written. */
async function expectNothingLive(page: Page) {
  expect(await page.locator(".message-streaming").count()).toBe(0);
  expect(await page.getByRole("button", { name: "Stop" }).count()).toBe(0);
  expect(await page.locator('[role="log"]').getAttribute("aria-busy")).toBe("false");
}

/** The composer takes a new message and the app answers it. */
async function expectComposerWorks(page: Page, text: string) {
  const input = page.getByRole("textbox", { name: "Message" });
  expect(await input.isDisabled()).toBe(false);
  await input.fill(text);
  const send = page.getByRole("button", { name: "Send" });
  expect(await send.isDisabled()).toBe(false);
  await send.click();
  await page.waitForFunction((answer) => document.querySelector('[role="log"]')?.textContent?.includes(answer), `You said: ${text}`);
  // The answer's end: the Stop button gives way to Send again.
  await page.getByRole("button", { name: "Send" }).waitFor();
}

describe("how a reply ended, after a reload", () => {
  test("interrupted: the badge, no caret or Stop, the composer works, and Retry (by keyboard) asks the question again", async () => {
    const { page, username, question } = await threadWithReply("interrupted");
    const badge = page.getByText("Interrupted — the server restarted before this reply finished.");
    await badge.waitFor();
    await expectNothingLive(page);
    const retry = page.getByRole("button", { name: "Retry" });
    expect(await retry.isEnabled()).toBe(true);
    await screenshot(page, "reply-interrupted");

    await expectComposerWorks(page, "are you still there?");

    // Retry with the keyboard: focus it, press Enter.
    await retry.focus();
    await page.keyboard.press("Enter");
    await eventually("the question answered again", async () => {
      const text = await logText(page);
      return text.split(`You said: ${question}`).length - 1 === 1 && text.lastIndexOf(question) > text.indexOf("are you still there?");
    });
    await eventually(
      "the retry stored",
      async () => (await userState(e2e.app, username)).messages.filter((m) => m.role === "assistant" && m.status === "complete").length === 2,
    );
    expect((await userState(e2e.app, username)).messages).toEqual([
      { role: "user", content: question, status: "complete" },
      { role: "assistant", content: "You said: tell me about", status: "interrupted" },
      { role: "user", content: "are you still there?", status: "complete" },
      { role: "assistant", content: "You said: are you still there?", status: "complete" },
      { role: "user", content: question, status: "complete" },
      { role: "assistant", content: `You said: ${question}`, status: "complete" },
    ]);
    // The interrupted reply keeps its badge; the new answer is complete.
    await badge.waitFor();
    await expectNothingLive(page);
    await screenshot(page, "reply-interrupted-after-retry");
  });

  test("stopped: the badge, no Retry, no caret or Stop, and the composer works (dark theme)", async () => {
    const { page } = await threadWithReply("stopped", { colorScheme: "dark" });
    await page.getByText("Stopped", { exact: true }).waitFor();
    await expectNothingLive(page);
    expect(await page.getByRole("button", { name: "Retry" }).count()).toBe(0);
    await screenshot(page, "reply-stopped-dark");
    await expectComposerWorks(page, "carry on");
  });

  test("pressing Stop: Send is back at once, the reply is marked Stopped, and the composer works", async () => {
    const page = await e2e.newPage({ viewport: { width: 1000, height: 700 } });
    await uiLogin(page, e2e.app.origin, uniqueUser("stop"));
    const words = Array.from({ length: 80 }, (_, i) => `w${i}`).join(" ");
    await page.getByRole("textbox", { name: "Message" }).fill(words);
    await page.getByRole("button", { name: "Send" }).click();
    await page.waitForFunction(() => document.querySelector('[role="log"]')?.textContent?.includes("w3"));
    await page.getByRole("button", { name: "Stop" }).click();
    await page.getByRole("button", { name: "Send" }).waitFor();
    await page.getByText("Stopped", { exact: true }).waitFor();
    await expectNothingLive(page);
    expect(await logText(page)).not.toContain("You said: " + words);
    await screenshot(page, "reply-stopped-live");
    await expectComposerWorks(page, "short one");
  });

  test("still 'streaming' in the database (an older server crashed): no caret or Stop, and the composer works", async () => {
    const { page } = await threadWithReply("streaming");
    await expectNothingLive(page);
    await screenshot(page, "reply-stale-streaming");
    await expectComposerWorks(page, "hello again");
    await expectNothingLive(page);
  });
});

describe("when the Markdown renderer cannot be loaded", () => {
  test("replies show as plain text and the chat keeps working (the app does not go blank)", async () => {
    const page = await e2e.newPage({ viewport: { width: 1000, height: 700 } });
    // The renderer is its own chunk, fetched with the first reply: a restart or a deploy in
    // the middle of that download fails the import.
    await page.route(/\/assets\/Markdown-[^/]*\.js$/, (route) => route.abort("connectionreset"));
    await uiLogin(page, e2e.app.origin, uniqueUser("no-markdown"));
    await page.getByRole("textbox", { name: "Message" }).fill("plain **text** please");
    await page.getByRole("button", { name: "Send" }).click();
    await page.waitForFunction(() => document.querySelector('[role="log"]')?.textContent?.includes("You said: plain **text** please"));
    await eventually("the reply finished", async () => (await page.getByRole("button", { name: "Stop" }).count()) === 0);
    await expectComposerWorks(page, "still here");
  });
});
