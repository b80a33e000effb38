import type { ChatMessage } from "@parlor/protocol";
import { describe, expect, it } from "vitest";
import { applyDelta, mergeResumed } from "./chat-store.js";

const message = (id: string, content: string, status: ChatMessage["status"] = "streaming"): ChatMessage => ({
  id,
  threadId: "t1",
  role: "assistant",
  content,
  status,
  createdAt: "2025-01-01T00:00:00.000Z",
  parentId: null,
  files: [],
  feedback: null,
});
const delta = (messageId: string, text: string, offset: number) => ["message:delta", { threadId: "t1", messageId, delta: text, offset }] as const;

describe("mergeResumed", () => {
  it("appends deltas the snapshot does not have yet", () => {
    const merged = mergeResumed([message("m1", "one ")], [delta("m1", "two ", 4), delta("m1", "three", 8)]);
    expect(merged[0]!.content).toBe("one two three");
  });

  it("skips deltas the snapshot already has, even when the text repeats", () => {
    const merged = mergeResumed([message("m1", "la la ")], [delta("m1", "la ", 0), delta("m1", "la ", 3), delta("m1", "la", 6)]);
    expect(merged[0]!.content).toBe("la la la");
  });

  it("applies only the unseen part of a delta that straddles the snapshot's end", () => {
    expect(applyDelta("hello wo", "world", 6)).toBe("hello world");
  });

  it("skips all deltas when the snapshot has them all", () => {
    const merged = mergeResumed([message("m1", "one two")], [delta("m1", "one ", 0), delta("m1", "two", 4)]);
    expect(merged[0]!.content).toBe("one two");
  });

  it("lets message:update replace the text and applies the deltas after it", () => {
    const merged = mergeResumed(
      [message("m1", "draft")],
      [delta("m1", " more", 5), ["message:update", { threadId: "t1", messageId: "m1", content: "final" }], delta("m1", "!", 5)],
    );
    expect(merged[0]!.content).toBe("final!");
  });

  it("adds messages that started after the snapshot and applies their end", () => {
    const merged = mergeResumed(
      [message("m1", "done", "complete")],
      [
        ["message:new", { threadId: "t1", messageId: "m2", role: "assistant", content: "", status: "streaming", files: [] }],
        delta("m2", "hi", 0),
        ["message:end", { threadId: "t1", messageId: "m2", status: "complete" }],
      ],
    );
    expect(merged.map((m) => [m.id, m.content, m.status])).toEqual([
      ["m1", "done", "complete"],
      ["m2", "hi", "complete"],
    ]);
  });

  it("ignores malformed events", () => {
    const merged = mergeResumed([message("m1", "ok")], [["message:delta", { threadId: "t1", messageId: 42, delta: "x", offset: 2 }]]);
    expect(merged[0]!.content).toBe("ok");
  });
});
