import { describe, expect, it } from "vitest";
import {
  checkJsonPayload,
  EMBED_MAX_JSON_BYTES,
  EMBED_MAX_MESSAGE_BYTES,
  EMBED_MAX_TOKEN_LENGTH,
  isEmbedConnect,
  isEmbedHello,
  isFrameToHostMessage,
  isHostToFrameMessage,
  isJsonValue,
  utf8ByteLength,
} from "@parlor/protocol";

describe("handshake messages", () => {
  it("accepts hello and connect of this version only", () => {
    expect(isEmbedHello({ type: "parlor:hello", version: 1 })).toBe(true);
    expect(isEmbedHello({ type: "parlor:hello", version: 2 })).toBe(false);
    expect(isEmbedHello({ type: "parlor:connect", version: 1 })).toBe(false);
    expect(isEmbedHello("parlor:hello")).toBe(false);
    expect(isEmbedConnect({ type: "parlor:connect", version: 1 })).toBe(true);
    expect(isEmbedConnect({ type: "parlor:connect" })).toBe(false);
    expect(isEmbedConnect(null)).toBe(false);
  });
});

describe("isFrameToHostMessage", () => {
  it.each([
    { type: "token-request", requestId: "r1" },
    { type: "function-call", callId: "c1", name: "cart.add", args: { sku: "A-1", qty: 2, tags: ["x"], gift: null } },
    { type: "function-call", callId: "c1", name: "ping", args: null },
    { type: "close" },
    { type: "unread", count: 0 },
    { type: "unread", count: 3 },
  ])("accepts %j", (message) => {
    expect(isFrameToHostMessage(message)).toBe(true);
  });

  it.each([
    ["a non-object", "token-request"],
    ["an array", [{ type: "close" }]],
    ["an unknown type", { type: "token" }],
    ["a missing request id", { type: "token-request" }],
    ["a request id with odd characters", { type: "token-request", requestId: "a b" }],
    ["an extra field", { type: "close", open: true }],
    ["a function call without args", { type: "function-call", callId: "c1", name: "f" }],
    ["a bad function name", { type: "function-call", callId: "c1", name: "1f", args: null }],
    ["a function name with spaces", { type: "function-call", callId: "c1", name: "a b", args: null }],
    ["args that are not JSON (Date)", { type: "function-call", callId: "c1", name: "f", args: new Date() }],
    ["args with NaN", { type: "function-call", callId: "c1", name: "f", args: [Number.NaN] }],
    ["a negative unread count", { type: "unread", count: -1 }],
    ["a fractional unread count", { type: "unread", count: 1.5 }],
  ])("refuses %s", (_label, message) => {
    expect(isFrameToHostMessage(message)).toBe(false);
  });
});

describe("isHostToFrameMessage", () => {
  it.each([
    { type: "token", requestId: "r1", token: "a.b.c" },
    { type: "token-error", requestId: "r1", error: { code: "token_failed", message: "getToken() rejected" } },
    { type: "function-result", callId: "c1", ok: true, result: { total: 3 } },
    { type: "function-result", callId: "c1", ok: true, result: null },
    { type: "function-result", callId: "c1", ok: false, error: { code: "unknown_function", message: "No function nope" } },
    { type: "send-message", text: "hello" },
    { type: "visibility", open: false },
  ])("accepts %j", (message) => {
    expect(isHostToFrameMessage(message)).toBe(true);
  });

  it.each([
    ["an empty token", { type: "token", requestId: "r1", token: "" }],
    ["an oversize token", { type: "token", requestId: "r1", token: "x".repeat(EMBED_MAX_TOKEN_LENGTH + 1) }],
    ["a token that is not a string", { type: "token", requestId: "r1", token: 42 }],
    ["an unknown token error code", { type: "token-error", requestId: "r1", error: { code: "oops", message: "" } }],
    ["a result without ok", { type: "function-result", callId: "c1", result: 1 }],
    ["ok true with an error", { type: "function-result", callId: "c1", ok: true, error: { code: "too_large", message: "" } }],
    ["ok false with an unknown code", { type: "function-result", callId: "c1", ok: false, error: { code: "boom", message: "" } }],
    ["a result that is not JSON", { type: "function-result", callId: "c1", ok: true, result: new Map() }],
    ["a blank message", { type: "send-message", text: "  " }],
    ["an oversize message", { type: "send-message", text: "é".repeat(EMBED_MAX_MESSAGE_BYTES / 2 + 1) }],
    ["visibility without a boolean", { type: "visibility", open: "yes" }],
    ["a frame-to-host message", { type: "token-request", requestId: "r1" }],
  ])("refuses %s", (_label, message) => {
    expect(isHostToFrameMessage(message)).toBe(false);
  });
});

describe("JSON payloads", () => {
  it("accepts plain JSON and refuses what structured clone adds", () => {
    expect(isJsonValue({ a: [1, "two", true, null, { b: 0.5 }] })).toBe(true);
    expect(isJsonValue(Object.create(null))).toBe(true);
    expect(isJsonValue(undefined)).toBe(false);
    expect(isJsonValue(new Uint8Array(2))).toBe(false);
    expect(isJsonValue({ when: new Date() })).toBe(false);
    expect(isJsonValue(Number.POSITIVE_INFINITY)).toBe(false);
    expect(isJsonValue(1n)).toBe(false);
  });

  it("refuses cycles and very deep nesting instead of overflowing the stack", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(isJsonValue(cycle)).toBe(false);
    let deep: unknown = null;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(isJsonValue(deep)).toBe(false);
  });

  it("counts UTF-8 bytes like TextEncoder", () => {
    for (const text of ["", "abc", "é", "€", "😀", "a😀b€é", "\ud800", "\udc00x"]) {
      expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length);
    }
  });

  it("checks size and shape, and treats undefined as null", () => {
    expect(checkJsonPayload(undefined)).toEqual({ ok: true, value: null, bytes: 4 });
    expect(checkJsonPayload({ a: 1 })).toEqual({ ok: true, value: { a: 1 }, bytes: 7 });
    // Exactly at the limit passes, one byte over fails.
    const atLimit = "x".repeat(EMBED_MAX_JSON_BYTES - 2);
    expect(checkJsonPayload(atLimit).ok).toBe(true);
    expect(checkJsonPayload(`${atLimit}x`)).toMatchObject({ ok: false, code: "too_large" });
    expect(checkJsonPayload(() => 1)).toMatchObject({ ok: false, code: "not_json" });
    expect(checkJsonPayload([1, 2, 3], 5)).toMatchObject({ ok: false, code: "too_large" });
  });
});
