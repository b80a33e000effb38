import { describe, expect, it } from "vitest";
import { toMessageAsk, toMessageStep } from "../src/threads/extras-json.js";
import type { AskRow, StepRow } from "../src/data/schema.js";

const step: StepRow = {
  id: "s1",
  message_id: "m1",
  parent_id: null,
  name: "search",
  type: "retrieval",
  input: "owls",
  output: "",
  status: "running",
  started_at: 0,
  ended_at: null,
};
const ask: AskRow = { message_id: "m1", type: "text", accept: "[]", expires_at: 10_000, status: "pending" };

describe("steps and questions as thread JSON shows them after a crash", () => {
  it("shows a step still running in a reply that is no longer streaming as its reply ended", () => {
    expect(toMessageStep(step, "streaming").status).toBe("running");
    expect(toMessageStep(step, "interrupted").status).toBe("interrupted");
    expect(toMessageStep(step, "error").status).toBe("error");
    expect(toMessageStep(step, "complete").status).toBe("complete");
    expect(toMessageStep({ ...step, status: "error", ended_at: 5 }, "complete")).toMatchObject({ status: "error", endedAt: "1970-01-01T00:00:00.005Z" });
  });

  it("shows a question still pending past its time as expired: the process that asked is gone", () => {
    expect(toMessageAsk(ask, 9_999).status).toBe("pending");
    expect(toMessageAsk(ask, 10_000).status).toBe("expired");
    expect(toMessageAsk({ ...ask, status: "answered" }, 20_000).status).toBe("answered");
  });
});
