/// <reference lib="dom" />
// Functions the host page registers, called from the chat as an app's `chat.callClient` would:
// results, thrown errors, unknown names, size limits, non-JSON results and timeouts.
import { EMBED_MAX_JSON_BYTES } from "@parlor/protocol";
import { expect, it } from "vitest";
import { useWidgetWorld, type FakeWindow } from "./fixture.js";

const world = useWidgetWorld();

/** Calls from the chat frame; returns the result or the error's `{ code, message }`. */
async function callClient(name: string, args: unknown, timeout?: number): Promise<unknown> {
  const frame = await world.connectedChatFrame();
  return frame.evaluate(
    ([n, a, t]) =>
      (window as unknown as FakeWindow).fakeChat.callClient(n, a, t === null ? {} : { timeout: t }).then(
        (result) => ({ result }),
        (error: Error & { code: string }) => ({ code: error.code, message: error.message }),
      ),
    [name, args, timeout ?? null] as const,
  );
}

async function setUp(): Promise<void> {
  await world.openHostPage();
  await world.page.evaluate(`
    window.calls = [];
    Parlor.registerFunction("cart.add", async (args) => { calls.push(args); return { items: [args.sku], total: 19.9 * args.qty }; });
    Parlor.registerFunction("cart.fail", () => { throw new Error("Out of stock: A-1"); });
    Parlor.registerFunction("cart.huge", () => "x".repeat(${EMBED_MAX_JSON_BYTES}));
    Parlor.registerFunction("cart.date", () => new Date());
    Parlor.registerFunction("cart.slow", () => new Promise(() => {}));
    Parlor.registerFunction("cart.echo", (args) => { calls.push(args); return args; });
    Parlor.mount({ embed: "shop", getToken: () => fetch("/parlor-token").then((r) => r.text()) });
  `);
}

it("calls a registered function with the arguments and returns its result", async () => {
  await setUp();
  expect(await callClient("cart.add", { sku: "A-1", qty: 2 })).toEqual({ result: { items: ["A-1"], total: 39.8 } });
  expect(await world.page.evaluate("window.calls")).toEqual([{ sku: "A-1", qty: 2 }]);
  // Functions registered after mount are found too.
  await world.page.evaluate(() => window.Parlor!.registerFunction("late", () => "here"));
  expect(await callClient("late", null)).toEqual({ result: "here" });
});

it("rejects with function_failed, unknown_function, too_large and not_json", async () => {
  await setUp();
  expect(await callClient("cart.fail", null)).toEqual({ code: "function_failed", message: '"cart.fail" failed: Out of stock: A-1' });
  expect(await callClient("cart.nope", null)).toEqual({ code: "unknown_function", message: 'No function "cart.nope" is registered on the host page' });
  expect(await callClient("cart.huge", null)).toMatchObject({ code: "too_large", message: expect.stringContaining(`the limit is ${EMBED_MAX_JSON_BYTES}`) });
  expect(await callClient("cart.date", null)).toMatchObject({ code: "not_json" });
  // After unregistering, the name is unknown.
  await world.page.evaluate(() => window.Parlor!.unregisterFunction("cart.add"));
  expect(await callClient("cart.add", { sku: "A-1", qty: 1 })).toMatchObject({ code: "unknown_function" });
});

it("refuses oversize arguments on both sides", async () => {
  await setUp();
  const big = "y".repeat(EMBED_MAX_JSON_BYTES);
  // The caller's own check.
  expect(await callClient("cart.echo", big)).toMatchObject({ code: "too_large" });
  // A frame that skips that check: the loader answers too_large and never calls the function.
  const frame = await world.connectedChatFrame();
  const answer = await frame.evaluate((text) => {
    const chat = (window as unknown as FakeWindow).fakeChat;
    const result = chat.awaitResult("raw1");
    chat.raw({ type: "function-call", callId: "raw1", name: "cart.echo", args: text });
    return result;
  }, big);
  expect(answer).toMatchObject({ code: "too_large" });
  expect(await world.page.evaluate("window.calls")).toEqual([]);
});

it("times out a function that does not answer, and keeps working", async () => {
  await setUp();
  const started = Date.now();
  expect(await callClient("cart.slow", null, 300)).toEqual({ code: "timeout", message: '"cart.slow" did not answer within 300 ms' });
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(await callClient("cart.echo", { still: "alive" })).toEqual({ result: { still: "alive" } });
});

it("ignores a malformed call instead of running it", async () => {
  await setUp();
  const frame = await world.connectedChatFrame();
  await frame.evaluate(() => {
    const chat = (window as unknown as FakeWindow).fakeChat;
    chat.raw({ type: "function-call", callId: "bad id!", name: "cart.echo", args: 1 });
    chat.raw({ type: "function-call", callId: "ok1", name: "cart.echo", args: 1, extra: true });
  });
  // A well-formed call after them is answered; the malformed ones never ran.
  expect(await callClient("cart.echo", "after")).toEqual({ result: "after" });
  expect(await world.page.evaluate("window.calls")).toEqual(["after"]);
});
