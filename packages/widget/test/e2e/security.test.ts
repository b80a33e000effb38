/// <reference lib="dom" />
// What the widget promises the host page: the token reaches the chat iframe and nothing else
// (not the DOM, storage or cookies), and no other window can inject into or listen to the
// conversation between the loader and its iframe.
import { expect, it } from "vitest";
import { useWidgetWorld, type FakeWindow } from "./fixture.js";

const world = useWidgetWorld();
const chatState = () => (window as unknown as FakeWindow).fakeChat.state;

async function mount(getToken = '() => fetch("/parlor-token").then((r) => r.text())'): Promise<void> {
  await world.page.evaluate(`Parlor.mount({ embed: "shop", getToken: ${getToken} })`);
}

/** Everything of the host page a script or a later visitor could read. */
async function hostPageSurface(): Promise<string> {
  const inPage = await world.page.evaluate(() => {
    const parts = [document.documentElement.outerHTML, document.cookie];
    for (const element of document.querySelectorAll("*")) if (element.shadowRoot) parts.push(element.shadowRoot.innerHTML);
    for (const storage of [localStorage, sessionStorage]) {
      for (let i = 0; i < storage.length; i++) parts.push(storage.key(i)!, storage.getItem(storage.key(i)!)!);
    }
    return parts.join("\n");
  });
  const cookies = await world.context.cookies();
  return `${inPage}\n${JSON.stringify(cookies)}`;
}

it("hands the host token to the iframe, and leaves it nowhere in the host page", async () => {
  await world.openHostPage();
  await mount();
  const frame = await world.connectedChatFrame();
  await frame.waitForFunction(() => (window as unknown as FakeWindow).fakeChat.state.tokens.length === 1);
  expect(world.issuedTokens).toHaveLength(1);
  // Trimmed of the newline the token endpoint sends.
  expect(await frame.evaluate(chatState)).toMatchObject({ tokens: [world.issuedTokens[0]], tokenErrors: [] });

  // A refresh before expiry: a fresh token, again only in the frame.
  expect(await frame.evaluate(() => (window as unknown as FakeWindow).fakeChat.requestToken())).toBe(world.issuedTokens[1]);

  const surface = await hostPageSurface();
  for (const token of world.issuedTokens) {
    expect(surface).not.toContain(token);
    expect(surface).not.toContain(token.split(".")[1]);
  }
  expect(surface).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
});

it("reports a failing getToken to the iframe as token_failed or invalid_token", async () => {
  await world.openHostPage();
  await mount('() => Promise.reject(new Error("not logged in"))');
  let frame = await world.connectedChatFrame();
  await frame.waitForFunction(() => (window as unknown as FakeWindow).fakeChat.state.tokenErrors.length === 1);
  expect((await frame.evaluate(chatState)).tokenErrors).toEqual([{ code: "token_failed", message: "getToken() failed: not logged in" }]);

  await world.page.evaluate(() => window.Parlor!.unmount());
  await mount('async () => ""');
  frame = await world.connectedChatFrame();
  await frame.waitForFunction(() => (window as unknown as FakeWindow).fakeChat.state.tokenErrors.length === 1);
  expect((await frame.evaluate(chatState)).tokenErrors[0]?.code).toBe("invalid_token");
});

it("ignores a foreign window's messages to the host page: no fake hello, no fake call", async () => {
  await world.openHostPage("?ad=1");
  await world.page.evaluate(`
    window.sentinels = 0;
    window.addEventListener("message", (event) => { if (event.data === "sentinel") window.sentinels++; });
    window.called = 0;
    Parlor.registerFunction("cart.add", () => { window.called++; return "ok"; });
  `);
  await mount();
  const chat = await world.connectedChatFrame();
  const ad = await world.foreignFrame();
  await ad.evaluate(() => {
    // A hello from the wrong window and origin would, if accepted, get the real frame a new port.
    window.parent.postMessage({ type: "parlor:hello", version: 1 }, "*");
    // Port traffic sent on the window instead: the loader listens for none of it there.
    window.parent.postMessage({ type: "function-call", callId: "c1", name: "cart.add", args: null }, "*");
    window.parent.postMessage({ type: "close" }, "*");
    // Messages from one window arrive in order: when this one is seen, the others were handled.
    window.parent.postMessage("sentinel", "*");
  });
  await world.page.waitForFunction(() => (window as unknown as { sentinels: number }).sentinels === 1);
  // One round trip on the real port, so anything the loader might have sent has arrived.
  await chat.evaluate(() => (window as unknown as FakeWindow).fakeChat.callClient("cart.add", null));
  expect(await world.page.evaluate("window.called")).toBe(1);
  expect((await chat.evaluate(chatState)).connects).toBe(1);
});

it("ignores a hello from another frame of the Parlor origin that the loader did not create", async () => {
  await world.openHostPage();
  await mount();
  const chat = await world.connectedChatFrame();
  // Same origin as the chat, but not the loader's iframe: the origin alone is not enough.
  await world.page.evaluate(
    (src) => {
      const rogue = document.createElement("iframe");
      rogue.id = "rogue";
      rogue.src = src;
      document.body.append(rogue);
    },
    `${world.parlorOrigin}/embed/shop?host=${encodeURIComponent(world.hostOrigin)}`,
  );
  const rogue = await (await world.page.waitForSelector("#rogue")).contentFrame();
  await rogue!.waitForFunction(() => "fakeChat" in window);
  await new Promise((done) => setTimeout(done, 500));
  expect((await rogue!.evaluate(chatState)).connects).toBe(0);
  expect((await chat.evaluate(chatState)).connects).toBe(1);
});

it("a foreign frame on the host page cannot even reach the chat iframe", async () => {
  await world.openHostPage("?ad=1");
  await mount();
  await world.connectedChatFrame();
  const ad = await world.foreignFrame();
  // The chat iframe sits in the widget's shadow root, which `window.frames` does not list:
  // the ad sees only itself. (Not a boundary to rely on; the checks below are.)
  expect(await ad.evaluate(() => window.parent.frames.length)).toBe(1);
});

it("the chat page refuses a port or a token from a window that is not its embedding page", async () => {
  // An attacker's page opens the chat page itself and tries to feed it a port and a token.
  await world.page.goto(`${world.foreignOrigin}/ad`);
  const [popup] = await Promise.all([
    world.page.waitForEvent("popup"),
    world.page.evaluate(
      (url) => {
        (window as unknown as { chat: Window | null }).chat = window.open(url, "_blank");
      },
      `${world.parlorOrigin}/embed/shop?host=${encodeURIComponent(world.hostOrigin)}`,
    ),
  ]);
  await popup.waitForFunction(() => "fakeChat" in window);
  await world.page.evaluate(() => {
    const heard: unknown[] = [];
    (window as unknown as { heard: unknown[] }).heard = heard;
    const chat = (window as unknown as { chat: Window }).chat;
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => heard.push(event.data);
    chat.postMessage({ type: "parlor:connect", version: 1 }, "*", [channel.port2]);
    chat.postMessage({ type: "token", requestId: "t1", token: "evil.attacker.token" }, "*");
  });
  // Positive proof that both messages arrived, and were refused.
  await popup.waitForFunction(() => (window as unknown as FakeWindow).fakeChat.state.ignoredWindowMessages >= 2);
  const state = await popup.evaluate(chatState);
  expect(state.connects).toBe(0);
  expect(state.tokens).toEqual([]);
  // The attacker's port never got a token request.
  expect(await world.page.evaluate(() => (window as unknown as { heard: unknown[] }).heard)).toEqual([]);
});
