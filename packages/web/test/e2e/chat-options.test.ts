/// <reference lib="dom" />
/**
 * Issue 13b in Chromium, against the built web UI: the app's welcome and starters in an empty
 * chat (a starter click sends its message), a profile chosen when the chat starts, the chat
 * settings panel (a change reaches the app), thumbs up/down with a comment, editing the last
 * message and regenerating the last reply. Each check reads the database or the app's
 * callbacks, not only the page. Screenshots go to test-output/screenshots/.
 *
 * Needs the built UI (`npm run build`); fails with a clear message without it.
 */
import type { Page } from "playwright-core";
import { describe, expect, test, vi } from "vitest";
import { echoApp, eventually } from "@parlor/test-support";
import type { ChatSettingValues, FeedbackEvent } from "parlor";
import { DEMO_PASSWORD, screenshot, uiLogin, uniqueUser, useE2E, type AppUnderTest } from "./fixture.js";

vi.setConfig({ testTimeout: 40_000, hookTimeout: 30_000 });

const feedbackEvents: FeedbackEvent[] = [];
const settingsUpdates: ChatSettingValues[] = [];
let replies = 0;

const e2e = useE2E({
  webUi: true,
  app: echoApp({
    name: "Parlor E2E",
    password: DEMO_PASSWORD,
    displayName: (username) => username,
    ui: {
      welcome: (user) => `Welcome back, **${user.identifier.split("-")[0]}**.`,
      starters: [
        { label: "Plan a trip", message: "Plan a weekend in Lisbon" },
        { label: "Explain", message: "Explain quantum computing simply" },
      ],
    },
    settings: [
      {
        id: "model",
        type: "select",
        label: "Model",
        options: [
          { value: "small", label: "Small" },
          { value: "large", label: "Large" },
        ],
        default: "small",
      },
      { id: "verbose", type: "switch", label: "Verbose", default: false },
    ],
    profiles: [
      { id: "concise", name: "Concise", description: "Short answers" },
      { id: "tutor", name: "Tutor", description: "Step by step" },
    ],
    onFeedback: (event) => void feedbackEvents.push(event),
    onSettingsUpdate: (settings) => void settingsUpdates.push({ ...settings }),
    async onMessage(message, chat) {
      await chat.send(`Reply ${++replies} to "${message.content}" (model ${String(chat.settings.model)}, profile ${chat.profile ?? "none"})`);
    },
  }),
});

const log = (page: Page) => page.locator('[role="log"]');
const logText = async (page: Page) => (await log(page).textContent()) ?? "";
const composer = (page: Page) => page.getByRole("textbox", { name: "Message", exact: true });

async function send(page: Page, text: string) {
  await composer(page).fill(text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await page.waitForFunction((t) => document.querySelector('[role="log"]')?.textContent?.includes(`to "${t}"`), text);
}

/** The user's thread rows and its messages, replaced ones included, oldest first. */
async function stored(app: AppUnderTest, username: string) {
  const db = app.server.db;
  const user = await db.selectFrom("users").select("id").where("identifier", "=", username).executeTakeFirstOrThrow();
  const threads = await db.selectFrom("threads").selectAll().where("user_id", "=", user.id).execute();
  const messages = threads.length
    ? await db
        .selectFrom("messages")
        .selectAll()
        .where(
          "thread_id",
          "in",
          threads.map((thread) => thread.id),
        )
        .orderBy("created_at")
        .orderBy("id")
        .execute()
    : [];
  return { threads, messages };
}

async function loggedInPage(prefix: string) {
  const page = await e2e.newPage({ viewport: { width: 1100, height: 800 } });
  const username = uniqueUser(prefix);
  await uiLogin(page, e2e.app.origin, username);
  return { page, username };
}

describe("an empty chat: welcome, starters and profiles", () => {
  test("shows the app's welcome as Markdown, for this user; a starter click sends its message", async () => {
    const { page, username } = await loggedInPage("starter");
    await page.getByText("Welcome back,").waitFor();
    expect(await page.locator(".welcome-text strong").textContent()).toBe("starter");
    await screenshot(page, "chat-start-welcome-starters");

    await page.getByRole("button", { name: "Plan a trip" }).click();
    await page.waitForFunction(() => document.querySelector('[role="log"]')?.textContent?.includes('to "Plan a weekend in Lisbon"'));
    await page.waitForURL((url) => url.pathname.startsWith("/chat/"));
    // The starters give way to the conversation.
    expect(await page.getByRole("button", { name: "Plan a trip" }).count()).toBe(0);
    const { messages } = await stored(e2e.app, username);
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "Plan a weekend in Lisbon"],
      ["assistant", expect.stringContaining('to "Plan a weekend in Lisbon"')],
    ]);
  });

  test("the chat starts with the first profile unless another is picked; the app reads the one picked", async () => {
    const { page, username } = await loggedInPage("profile");
    const concise = page.getByRole("radio", { name: /Concise/ });
    const tutor = page.getByRole("radio", { name: /Tutor/ });
    await eventually("the first profile checked", async () => (await concise.getAttribute("aria-checked")) === "true");
    await tutor.click();
    expect(await tutor.getAttribute("aria-checked")).toBe("true");
    expect(await concise.getAttribute("aria-checked")).toBe("false");
    await send(page, "hello tutor");
    expect(await logText(page)).toContain("profile tutor");
    expect((await stored(e2e.app, username)).threads.map((thread) => thread.profile)).toEqual(["tutor"]);
    // The profile is fixed once the chat exists: no picker in the conversation.
    expect(await page.getByRole("radiogroup").count()).toBe(0);
  });
});

test("the settings panel: a change is stored for the thread and reaches the app", async () => {
  const { page, username } = await loggedInPage("settings");
  await send(page, "first");
  expect(await logText(page)).toContain("model small");

  await page.getByRole("button", { name: "Chat settings" }).click();
  const panel = page.getByRole("complementary", { name: "Chat settings" });
  await panel.getByLabel("Model").selectOption("large");
  await eventually("the setting stored", async () => (await stored(e2e.app, username)).threads[0]?.settings?.includes('"large"'));
  await eventually("onSettingsUpdate called", () => settingsUpdates.some((s) => s.model === "large"));
  await panel.getByRole("switch", { name: "Verbose" }).check();
  await eventually("the switch stored", async () => JSON.parse((await stored(e2e.app, username)).threads[0]!.settings!).verbose === true);
  await screenshot(page, "chat-settings-panel");
  await page.getByRole("button", { name: "Close chat settings" }).click();

  await send(page, "second");
  expect(await logText(page)).toContain('to "second" (model large');
  // After a reload the panel shows the stored values.
  await page.reload();
  await composer(page).waitFor();
  await page.getByRole("button", { name: "Chat settings" }).click();
  expect(await page.getByLabel("Model").inputValue()).toBe("large");
  expect(await page.getByRole("switch", { name: "Verbose" }).isChecked()).toBe(true);
});

test("thumbs down with a comment is stored, reaches onFeedback, and is shown after a reload", async () => {
  const { page, username } = await loggedInPage("feedback");
  await send(page, "rate me");
  const reply = page.getByRole("article", { name: "Assistant" });
  await reply.getByRole("button", { name: "Bad reply" }).click();
  await page.getByLabel("What could be better? (optional)").fill("Too vague");
  await page.getByRole("button", { name: "Send feedback" }).click();
  await page.getByText("Thanks for your feedback").waitFor();

  const replyRow = () => stored(e2e.app, username).then(({ messages }) => messages.find((m) => m.role === "assistant")!);
  expect(await replyRow()).toMatchObject({ feedback_value: -1, feedback_comment: "Too vague" });
  await eventually("onFeedback called", () => feedbackEvents.some((event) => event.user.identifier === username && event.comment === "Too vague"));
  await screenshot(page, "feedback-given");

  await page.reload();
  await composer(page).waitFor();
  await page.waitForFunction(() => document.querySelector('[role="log"]')?.textContent?.includes("rate me"));
  expect(await reply.getByRole("button", { name: "Bad reply" }).getAttribute("aria-pressed")).toBe("true");
  // Thumbs up replaces it; a second click takes it back.
  await reply.getByRole("button", { name: "Good reply" }).click();
  await eventually("thumbs up stored", async () => (await replyRow()).feedback_value === 1);
  await page.getByRole("button", { name: "Skip" }).click();
  await reply.getByRole("button", { name: "Good reply" }).click();
  await eventually("feedback taken back", async () => (await replyRow()).feedback_value === null);
  // The page shows it once the server's answer arrives, which follows the write.
  await eventually(
    "the button no longer pressed",
    async () => (await reply.getByRole("button", { name: "Good reply" }).getAttribute("aria-pressed")) === "false",
  );
});

test("edit the last message: the old question and its reply leave the thread (kept in the database)", async () => {
  const { page, username } = await loggedInPage("edit");
  await send(page, "first question");
  await send(page, "second questoin");
  await page.getByRole("button", { name: "Edit message" }).click();
  const editor = page.getByRole("textbox", { name: "Edit your message" });
  expect(await editor.inputValue()).toBe("second questoin");
  await editor.fill("second question");
  await screenshot(page, "message-editing");
  await page.getByRole("button", { name: "Save and send" }).click();
  await page.waitForFunction(() => document.querySelector('[role="log"]')?.textContent?.includes('to "second question"'));
  await eventually("the typo gone from the page", async () => !(await logText(page)).includes("questoin"));

  const { messages } = await stored(e2e.app, username);
  expect(messages.filter((m) => m.replaced_at !== null).map((m) => m.content)).toEqual(["second questoin", expect.stringContaining('to "second questoin"')]);
  expect(messages.filter((m) => m.replaced_at === null).map((m) => m.content)).toEqual([
    "first question",
    expect.stringContaining('to "first question"'),
    "second question",
    expect.stringContaining('to "second question"'),
  ]);
  // Only the latest message has an Edit button.
  expect(await page.getByRole("button", { name: "Edit message" }).count()).toBe(1);
});

test("regenerate the last reply: a new reply takes its place", async () => {
  const { page, username } = await loggedInPage("regenerate");
  await send(page, "tell me a joke");
  const before = await logText(page);
  const first = /Reply (\d+) to/.exec(before)![1];
  await page.getByRole("button", { name: "Regenerate reply" }).click();
  await eventually("a new reply", async () => {
    const text = await logText(page);
    return !text.includes(`Reply ${first} to`) && /Reply \d+ to "tell me a joke"/.test(text);
  });
  const { messages } = await stored(e2e.app, username);
  expect(messages.map((m) => [m.role, m.replaced_at === null])).toEqual([
    ["user", true],
    ["assistant", false],
    ["assistant", true],
  ]);
  expect(await page.getByRole("article", { name: "Assistant" }).count()).toBe(1);
});
