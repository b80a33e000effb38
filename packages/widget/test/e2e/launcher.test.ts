/// <reference lib="dom" />
// The launcher and the global API in Chromium: mount, open, close, toggle, unmount, the
// container mode, keyboard and focus, option errors, sendMessage and the unread badge.
import { expect, it } from "vitest";
import { useWidgetWorld, type FakeWindow } from "./fixture.js";

const world = useWidgetWorld();

async function mount(extra = ""): Promise<void> {
  // `extra` is spliced into the options in the page, where functions cannot be passed in.
  await world.page.evaluate(`Parlor.mount({ embed: "shop", getToken: () => fetch("/parlor-token").then((r) => r.text()) ${extra} })`);
}

it("mounts a labelled button that opens and closes the chat panel, and unmounts", async () => {
  await world.openHostPage();
  await mount();
  const { page } = world;
  const button = page.getByRole("button", { name: "Open chat" });
  const panel = page.getByRole("dialog", { name: "Chat" });
  await expect.poll(() => button.getAttribute("aria-expanded")).toBe("false");
  expect(await panel.isHidden()).toBe(true);
  // The shadow root's constructed stylesheet applies under the page's strict CSP.
  expect(await button.evaluate((el) => getComputedStyle(el).position)).toBe("fixed");

  const frame = await world.connectedChatFrame();
  await button.click();
  expect(await panel.isVisible()).toBe(true);
  const closeToggle = page.getByRole("button", { name: "Close chat" }).first();
  expect(await page.locator("[data-parlor-widget] >> .launcher").getAttribute("aria-expanded")).toBe("true");
  expect(await closeToggle.isVisible()).toBe(true);
  // Focus moved into the chat, and the frame was told it is visible.
  expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.tagName)).toBe("IFRAME");
  await frame.waitForFunction(() => (window as unknown as FakeWindow).fakeChat.state.visibility.at(-1) === true);

  await page.evaluate(() => window.Parlor!.close());
  expect(await panel.isHidden()).toBe(true);
  await page.evaluate(() => window.Parlor!.toggle());
  expect(await panel.isVisible()).toBe(true);
  await page.evaluate(() => window.Parlor!.toggle());
  expect(await panel.isHidden()).toBe(true);
  await page.evaluate(() => window.Parlor!.open());
  expect(await panel.isVisible()).toBe(true);
  await frame.waitForFunction(() => {
    const seen = (window as unknown as FakeWindow).fakeChat.state.visibility;
    return seen.join() === "false,true,false,true,false,true";
  });

  await page.evaluate(() => window.Parlor!.unmount());
  expect(await page.locator("[data-parlor-widget]").count()).toBe(0);
  expect(page.frames()).toHaveLength(1);
  // Mounting again works, and a call on nothing mounted says so.
  await mount();
  await world.connectedChatFrame();
  await page.evaluate(() => window.Parlor!.unmount());
  const error = await page.evaluate(() => {
    try {
      window.Parlor!.open();
      return null;
    } catch (e) {
      return { code: (e as { code: string }).code, message: (e as Error).message };
    }
  });
  expect(error).toEqual({ code: "not_mounted", message: "Parlor.open: call Parlor.mount(options) first" });
});

it("closes with Escape, from the page and from inside the chat, and gives focus back to the button", async () => {
  await world.openHostPage();
  await mount();
  const { page } = world;
  const frame = await world.connectedChatFrame();
  const launcher = page.locator("[data-parlor-widget] >> .launcher");
  const panel = page.getByRole("dialog", { name: "Chat" });

  await launcher.focus();
  await page.keyboard.press("Enter");
  expect(await panel.isVisible()).toBe(true);
  // Escape inside the iframe: the frame posts `close` over its port.
  await frame.locator("body").press("Escape");
  await expect.poll(() => panel.isHidden()).toBe(true);
  expect(await launcher.getAttribute("aria-expanded")).toBe("false");
  expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.className)).toBe("launcher");

  // Escape on the panel's own close button (in the page).
  await page.keyboard.press("Enter");
  await page.locator("[data-parlor-widget] >> .close").focus();
  await page.keyboard.press("Escape");
  expect(await panel.isHidden()).toBe(true);
  expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.className)).toBe("launcher");
});

it("renders into a container, open, without a floating button", async () => {
  await world.openHostPage();
  await world.page.evaluate(() => {
    document.getElementById("chat-box")!.style.cssText = "width:360px;height:480px";
  });
  await mount(', container: document.getElementById("chat-box"), theme: "dark", language: "fr-CA"');
  const { page } = world;
  await world.connectedChatFrame();
  expect(await page.locator("#chat-box [data-parlor-widget]").count()).toBe(1);
  expect(await page.locator("[data-parlor-widget] >> .launcher").count()).toBe(0);
  const box = await page.locator("[data-parlor-widget] >> iframe").boundingBox();
  expect(box?.width).toBe(360);
  expect(box?.height).toBe(480);
  const src = new URL((await page.locator("[data-parlor-widget] >> iframe").getAttribute("src"))!);
  expect(Object.fromEntries(src.searchParams)).toEqual({ host: world.hostOrigin, theme: "dark", lang: "fr-CA" });
});

it("gives the iframe a title, a minimal allow list and a sandbox that keeps its origin", async () => {
  await world.openHostPage();
  await mount();
  const iframe = world.page.locator("[data-parlor-widget] >> iframe");
  expect(await iframe.getAttribute("title")).toBe("Chat");
  expect(await iframe.getAttribute("allow")).toBe("clipboard-write");
  expect((await iframe.getAttribute("sandbox"))?.split(" ").sort()).toEqual(
    ["allow-downloads", "allow-forms", "allow-popups", "allow-popups-to-escape-sandbox", "allow-same-origin", "allow-scripts"].sort(),
  );
  expect(await iframe.getAttribute("src")).toBe(`${world.parlorOrigin}/embed/shop?host=${encodeURIComponent(world.hostOrigin)}&theme=auto`);
  // The frame runs on its own origin (not an opaque "null" one).
  const frame = await world.connectedChatFrame();
  expect(await frame.evaluate(() => location.origin)).toBe(world.parlorOrigin);
});

it("throws a clear error for bad options, a second mount and a bad message", async () => {
  await world.openHostPage();
  const { page } = world;
  // Each call runs in the page; what it throws comes back as plain data (name, code, message).
  await page.evaluate(() => {
    (window as any).caught = (call: () => void) => {
      try {
        call();
        return null;
      } catch (e) {
        return { name: (e as Error).name, code: (e as { code: string }).code, message: (e as Error).message };
      }
    };
  });
  const attempt = (call: () => unknown) => page.evaluate(call);
  // Bad options on purpose (the widget is called from untyped pages), so `any`. The functions
  // are serialized into the page: they can use only what the page has.

  expect(await attempt(() => (window as any).caught(() => (window as any).Parlor.mount({ getToken: () => "" })))).toEqual({
    name: "ParlorWidgetError",
    code: "invalid_options",
    message: "Parlor.mount: `embed` is required: the embedding's id, 1 to 64 letters, digits, `-` or `_`",
  });
  expect(await attempt(() => (window as any).caught(() => (window as any).Parlor.mount({ embed: "shop" })))).toMatchObject({
    code: "invalid_options",
    message: expect.stringContaining("`getToken` is required"),
  });
  expect(
    await attempt(() => (window as any).caught(() => (window as any).Parlor.mount({ embed: "shop", getToken: () => "", contianer: document.body }))),
  ).toMatchObject({
    code: "invalid_options",
    message: expect.stringContaining("unknown option `contianer`"),
  });
  expect(
    await attempt(() => (window as any).caught(() => (window as any).Parlor.mount({ embed: "shop", getToken: () => "", server: "ftp://x" }))),
  ).toMatchObject({
    code: "invalid_options",
  });
  // Nothing was rendered by the failed calls.
  expect(await page.locator("[data-parlor-widget]").count()).toBe(0);

  expect(await attempt(() => (window as any).caught(() => (window as any).Parlor.mount({ embed: "shop", getToken: () => "" })))).toBeNull();
  expect(await attempt(() => (window as any).caught(() => (window as any).Parlor.mount({ embed: "shop", getToken: () => "" })))).toMatchObject({
    code: "already_mounted",
  });
  expect(await attempt(() => (window as any).caught(() => (window as any).Parlor.sendMessage("   ")))).toMatchObject({ code: "invalid_message" });
  expect(await attempt(() => (window as any).caught(() => (window as any).Parlor.registerFunction("bad name", () => 1)))).toMatchObject({
    code: "invalid_function",
  });
});

it("delivers sendMessage to the chat, also when called before the chat has loaded", async () => {
  await world.openHostPage();
  await world.page.evaluate(`
    Parlor.mount({ embed: "shop", getToken: () => fetch("/parlor-token").then((r) => r.text()) });
    Parlor.sendMessage("Where is my order?");
  `);
  const frame = await world.connectedChatFrame();
  await world.page.evaluate(() => window.Parlor!.sendMessage("And the invoice? ✓"));
  await frame.waitForFunction(() => (window as unknown as FakeWindow).fakeChat.state.sentMessages.length === 2);
  expect(await frame.evaluate(() => (window as unknown as FakeWindow).fakeChat.state.sentMessages)).toEqual(["Where is my order?", "And the invoice? ✓"]);
});

it("shows the chat's unread count on the closed launcher", async () => {
  await world.openHostPage();
  await mount();
  const frame = await world.connectedChatFrame();
  await frame.evaluate(() => (window as unknown as FakeWindow).fakeChat.raw({ type: "unread", count: 2 }));
  const launcher = world.page.locator("[data-parlor-widget] >> .launcher");
  await expect.poll(() => launcher.getAttribute("aria-label")).toBe("Open chat, 2 unread");
  expect(await world.page.locator("[data-parlor-widget] >> .badge").textContent()).toBe("2");
  await launcher.click();
  expect(await launcher.getAttribute("aria-label")).toBe("Close chat");
});

it("opens a new channel when the chat iframe reloads", async () => {
  await world.openHostPage();
  await world.page.evaluate(() => window.Parlor!.registerFunction("ping", () => "pong"));
  await mount();
  const frame = await world.connectedChatFrame();
  await frame.evaluate(() => location.reload());
  const reloaded = await world.connectedChatFrame();
  expect(await reloaded.evaluate(() => (window as unknown as FakeWindow).fakeChat.callClient("ping", null))).toBe("pong");
  // Each document got exactly one port and one token.
  expect(await reloaded.evaluate(() => (window as unknown as FakeWindow).fakeChat.state.connects)).toBe(1);
  await expect.poll(() => world.issuedTokens.length).toBe(2);
});

it("starts open with `open: true` without taking focus from the page, and applies the theme", async () => {
  await world.openHostPage();
  await world.page.locator("#buy").focus();
  await mount(', open: true, theme: "dark"');
  const frame = await world.connectedChatFrame();
  expect(await world.page.getByRole("dialog", { name: "Chat" }).isVisible()).toBe(true);
  expect(await world.page.locator("[data-parlor-widget] >> .launcher").getAttribute("aria-expanded")).toBe("true");
  expect(await world.page.evaluate(() => document.activeElement?.id)).toBe("buy");
  // The frame learns the state when it connects.
  await frame.waitForFunction(() => (window as unknown as FakeWindow).fakeChat.state.visibility.join() === "true");
  expect(await world.page.locator("[data-parlor-widget]").getAttribute("data-theme")).toBe("dark");
  const background = await world.page.locator("[data-parlor-widget] >> .panel").evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(background).toBe("rgb(28, 30, 35)");
});
