import { describe, expect, it } from "vitest";
import { planEdit, planRegenerate } from "../src/chat/replace-latest.js";
import type { MessageRow } from "../src/data/thread-store.js";

const row = (id: string, role: MessageRow["role"]): MessageRow => ({
  id,
  role,
  thread_id: "t",
  content: id,
  status: "complete",
  created_at: 0,
  parent_id: null,
  owner_id: null,
  feedback_value: null,
  feedback_comment: null,
  replaced_at: null,
});
const [q1, r1, q2, r2, error] = [row("q1", "user"), row("r1", "assistant"), row("q2", "user"), row("r2", "assistant"), row("e", "system")];

describe("which messages an edit or a regeneration replaces", () => {
  it("an edit of the latest user message replaces it and every reply after it", () => {
    expect(planEdit([q1, r1, q2, r2, error], "q2")).toEqual({ ok: true, replaced: ["q2", "r2", "e"], question: q2 });
    expect(planEdit([q1, r1, q2], "q2")).toEqual({ ok: true, replaced: ["q2"], question: q2 });
  });

  it("an edit of an older message, or of a reply, is not_latest; of an unknown one, not_found", () => {
    expect(planEdit([q1, r1, q2, r2], "q1")).toEqual({ ok: false, code: "not_latest" });
    expect(planEdit([q1, r1, q2, r2], "r2")).toEqual({ ok: false, code: "not_latest" });
    expect(planEdit([q1, r1], "nope")).toEqual({ ok: false, code: "not_found" });
    expect(planEdit([], "nope")).toEqual({ ok: false, code: "not_found" });
  });

  it("a regeneration of the latest message, a reply or an error, replaces what follows the latest user message", () => {
    expect(planRegenerate([q1, r1, q2, r2], "r2")).toEqual({ ok: true, replaced: ["r2"], question: q2 });
    expect(planRegenerate([q1, r1, q2, r2, error], "e")).toEqual({ ok: true, replaced: ["r2", "e"], question: q2 });
  });

  it("a regeneration of an older reply, of the user's message or without any user message is refused", () => {
    expect(planRegenerate([q1, r1, q2, r2], "r1")).toEqual({ ok: false, code: "not_latest" });
    expect(planRegenerate([q1, r1, q2], "q2")).toEqual({ ok: false, code: "not_latest" });
    expect(planRegenerate([r1], "r1")).toEqual({ ok: false, code: "not_latest" });
    expect(planRegenerate([q1, r1], "nope")).toEqual({ ok: false, code: "not_found" });
  });
});
