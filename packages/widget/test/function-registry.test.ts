import { EMBED_MAX_JSON_BYTES } from "@parlor/protocol";
import { describe, expect, it } from "vitest";
import { FunctionRegistry } from "../src/function-registry.js";

describe("FunctionRegistry", () => {
  it("calls a registered function with its arguments and returns its result", async () => {
    const registry = new FunctionRegistry();
    registry.register("cart.add", async (args) => ({ added: args }));
    expect(await registry.call("cart.add", { sku: "A-1" })).toEqual({ ok: true, result: { added: { sku: "A-1" } } });
  });

  it("turns a function that returns nothing into null", async () => {
    const registry = new FunctionRegistry();
    registry.register("noop", () => undefined);
    expect(await registry.call("noop", null)).toEqual({ ok: true, result: null });
  });

  it("answers unknown_function, function_failed, too_large and not_json", async () => {
    const registry = new FunctionRegistry();
    registry.register("throws", () => {
      throw new Error("out of stock");
    });
    // A host function may reject with anything, not only an Error.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- that case is under test
    registry.register("rejects", () => Promise.reject("plain string"));
    registry.register("huge", () => "x".repeat(EMBED_MAX_JSON_BYTES));
    registry.register("date", () => new Date());
    registry.register("echo", (args) => args);

    expect(await registry.call("missing", null)).toMatchObject({
      ok: false,
      error: { code: "unknown_function", message: 'No function "missing" is registered on the host page' },
    });
    expect(await registry.call("throws", null)).toMatchObject({ ok: false, error: { code: "function_failed", message: '"throws" failed: out of stock' } });
    expect(await registry.call("rejects", null)).toMatchObject({ ok: false, error: { code: "function_failed", message: '"rejects" failed: plain string' } });
    expect(await registry.call("huge", null)).toMatchObject({ ok: false, error: { code: "too_large" } });
    expect(await registry.call("date", null)).toMatchObject({ ok: false, error: { code: "not_json" } });
    // Oversize arguments never reach the function.
    expect(await registry.call("echo", "y".repeat(EMBED_MAX_JSON_BYTES))).toMatchObject({ ok: false, error: { code: "too_large" } });
  });

  it("shortens a long thrown message", async () => {
    const registry = new FunctionRegistry();
    registry.register("verbose", () => {
      throw new Error("z".repeat(5000));
    });
    const outcome = await registry.call("verbose", null);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.message.length).toBeLessThan(600);
  });

  it("refuses bad names and non-functions, and unregisters", async () => {
    const registry = new FunctionRegistry();
    expect(() => registry.register("has space", () => 1)).toThrow(expect.objectContaining({ code: "invalid_function" }));
    expect(() => registry.register("ok", "not a function" as never)).toThrow(expect.objectContaining({ code: "invalid_function" }));
    registry.register("ok", () => 1);
    expect(registry.unregister("ok")).toBe(true);
    expect(await registry.call("ok", null)).toMatchObject({ ok: false, error: { code: "unknown_function" } });
  });
});
