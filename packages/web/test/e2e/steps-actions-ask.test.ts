/// <reference lib="dom" />
/**
 * Steps, actions and questions (`chat.step`, `reply.actions`, `chat.ask`) in a real browser,
 * against the kit's feature app (see packages/test-support/src/feature-app.ts):
 * - a reply's steps show collapsed ("Used search") and open to show their input and output;
 * - an action's button runs the app's `onAction`, and a `once` action's button is disabled after;
 * - a text question is answered through the composer, a choice by its buttons, a file question
 *   with an upload the file picker limits to the accepted types.
 * Screenshots go to test-output/screenshots/.
 *
 * Needs the built UI (`npm run build`); fails with a clear message without it.
 */
import type { Page } from "playwright-core";
import { describe, expect, test, vi } from "vitest";
import { featureApp } from "@parlor/test-support";
import { DEMO_PASSWORD, screenshot, uiLogin, uniqueUser, useE2E } from "./fixture.js";

vi.setConfig({ testTimeout: 40_000, hookTimeout: 30_000 });

const e2e = useE2E({ webUi: true, app: featureApp({ password: DEMO_PASSWORD }) });

/** A 1×1 PNG. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");

async function chatPage(name: string): Promise<Page> {
  const page = await e2e.newPage({ viewport: { width: 1000, height: 800 } });
  await uiLogin(page, e2e.app.origin, uniqueUser(name));
  return page;
}

async function send(page: Page, text: string) {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
}

const log = (page: Page) => page.getByRole("log", { name: "Messages" });

describe("steps, actions and questions in the web UI", () => {
  test("a reply's steps show collapsed as 'Used search' and open to show input, output and the nested step", async () => {
    const page = await chatPage("steps");
    await send(page, "/search northern lights");
    await log(page).getByText("Found 2 results for northern lights").waitFor();

    const search = log(page)
      .locator("details", { has: page.locator("summary", { hasText: "Used search" }) })
      .first();
    expect(await search.evaluate((element) => (element as HTMLDetailsElement).open)).toBe(false);
    expect(await search.getByText("northern lights").isVisible()).toBe(false);

    await search.locator("summary").first().click();
    expect(await search.evaluate((element) => (element as HTMLDetailsElement).open)).toBe(true);
    await search.getByText("northern lights", { exact: true }).waitFor();
    await search.getByText("2 documents", { exact: true }).waitFor();
    const rank = search.locator("details", { has: page.locator("summary", { hasText: "Used rank" }) });
    await rank.locator("summary").click();
    await rank.getByText("ranked", { exact: true }).waitFor();
    await screenshot(page, "steps-expanded");

    // Still there, collapsed again, after a reload (stored with the message).
    await page.reload();
    await log(page).getByText("Found 2 results for northern lights").waitFor();
    const reloaded = log(page).locator("summary", { hasText: "Used search" });
    await reloaded.waitFor();
    expect(await reloaded.evaluate((element) => (element.parentElement as HTMLDetailsElement).open)).toBe(false);
  });

  test("an action's button runs onAction; a once action's button is disabled after it ran", async () => {
    const page = await chatPage("actions");
    await send(page, "/choose-once");
    const blue = log(page).getByRole("button", { name: "Blue" });
    await blue.waitFor();
    await blue.click();
    await log(page).getByText("You chose blue").waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll("button")].some((b) => b.textContent?.startsWith("Blue") && b.disabled));
    expect(await log(page).getByRole("button", { name: "Red" }).isEnabled()).toBe(true);
    await screenshot(page, "actions-used");

    await page.reload();
    await log(page).getByText("You chose blue").waitFor();
    expect(await log(page).getByRole("button", { name: /^Blue/ }).isDisabled()).toBe(true);
  });

  test("a text question is answered through the composer, and the app goes on with the answer", async () => {
    const page = await chatPage("ask-text");
    await send(page, "/ask-text");
    await log(page).getByText("What is your name?").waitFor();
    await log(page).getByText("Answer in the message box below.").waitFor();
    const box = page.getByRole("textbox", { name: "Message" });
    expect(await box.getAttribute("placeholder")).toBe("Type your answer…");
    await screenshot(page, "ask-text-pending");

    await send(page, "Ada Lovelace");
    await log(page).getByText("Hello Ada Lovelace").waitFor();
    expect(await log(page).getByText("Answer in the message box below.").count()).toBe(0);
    expect(await box.getAttribute("placeholder")).not.toBe("Type your answer…");
  });

  test("a choice is answered by one of its buttons; the composer waits for it, and the buttons close after", async () => {
    const page = await chatPage("ask-action");
    await send(page, "/ask-action");
    await log(page).getByText("Which size?").waitFor();
    const box = page.getByRole("textbox", { name: "Message" });
    await page.waitForFunction(() => document.querySelector<HTMLTextAreaElement>("#composer-input")?.disabled === true);
    expect(await box.getAttribute("placeholder")).toBe("Choose an answer above");

    await log(page).getByRole("button", { name: "Large" }).click();
    await log(page).getByText('Picked large ({"size":"L"})').waitFor();
    expect(
      await log(page)
        .getByRole("button", { name: /^Small/ })
        .isDisabled(),
    ).toBe(true);
    expect(
      await log(page)
        .getByRole("button", { name: /^Large/ })
        .isDisabled(),
    ).toBe(true);
    expect(await box.isEnabled()).toBe(true);
  });

  test("a file question limits the file picker to its types and is answered with an upload", async () => {
    const page = await chatPage("ask-file");
    await send(page, "/ask-file");
    await log(page).getByText("Attach a file below (image/*).").waitFor();
    const input = page.getByTestId("file-input");
    expect(await input.getAttribute("accept")).toBe("image/*");

    await input.setInputFiles({ name: "dot.png", mimeType: "image/png", buffer: PNG });
    await page.locator(".chip-ready").waitFor();
    await page.getByRole("button", { name: "Send" }).click();
    await log(page).getByText("Got dot.png (image/png)").waitFor();
    expect(await input.getAttribute("accept")).toBeNull();
  });
});
