import type { ChatMessage } from "@parlor/protocol";
import { describe, expect, it } from "vitest";
import { applyDelta } from "../src/chat-store.js";
import { applyExtrasEvent, messageExtras, pendingAsk } from "../src/message-extras.js";

const message = (overrides: Partial<ChatMessage> = {}): ChatMessage => ({
  id: "m1",
  threadId: "t1",
  role: "assistant",
  content: "",
  status: "streaming",
  createdAt: "2026-01-01T00:00:00.000Z",
  parentId: null,
  files: [],
  steps: [],
  feedback: null,
  actions: [],
  ...overrides,
});
const started = { id: "s1", parentId: null, name: "search", type: "tool", input: "", output: "", status: "running", startedAt: "x", endedAt: null };

describe("a message's steps, actions and question from the wire", () => {
  it("applies step events in order, skipping a delta it already holds", () => {
    let m = applyExtrasEvent(message(), "step:start", { step: started }, applyDelta);
    m = applyExtrasEvent(m, "step:start", { step: started }, applyDelta); // twice: once
    m = applyExtrasEvent(m, "step:delta", { stepId: "s1", delta: "ab", offset: 0 }, applyDelta);
    m = applyExtrasEvent(m, "step:delta", { stepId: "s1", delta: "ab", offset: 0 }, applyDelta);
    m = applyExtrasEvent(m, "step:delta", { stepId: "s1", delta: "bc", offset: 1 }, applyDelta);
    expect(m.steps).toEqual([{ ...started, output: "abc" }]);
    m = applyExtrasEvent(m, "step:end", { stepId: "s1", output: "final", status: "complete", endedAt: "y" }, applyDelta);
    expect(m.steps[0]).toMatchObject({ output: "final", status: "complete", endedAt: "y" });
  });

  it("refuses a malformed step or action instead of storing it", () => {
    expect(() => applyExtrasEvent(message(), "step:start", { step: { ...started, status: "flying" } }, applyDelta)).toThrow();
    expect(() => applyExtrasEvent(message(), "message:actions", { actions: [{ id: 1 }] }, applyDelta)).toThrow();
  });

  it("reads messages from older servers, without steps or actions, as having none", () => {
    expect(messageExtras({})).toEqual({ steps: [], actions: [] });
  });

  it("finds the newest question still waiting", () => {
    const ask = (status: "pending" | "answered") => ({ type: "text" as const, status, accept: [], expiresAt: "z" });
    const messages = [message({ id: "a", ask: ask("pending") }), message({ id: "b", ask: ask("answered") }), message({ id: "c" })];
    expect(pendingAsk(messages)?.id).toBe("a");
    expect(pendingAsk(messages.slice(1))).toBeNull();
  });
});
