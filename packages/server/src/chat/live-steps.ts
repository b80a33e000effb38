import type { MessageStep, StepStatus, StepType } from "@parlor/protocol";
import type { StepRow } from "../data/step-store.js";
import type { MessageExtraStores } from "../data/message-extras.js";
import { sortableId } from "../data/sortable-id.js";
import { toMessageStep } from "../threads/extras-json.js";
import type { EmitToUser } from "./live-reply.js";

export interface LiveStepsDeps {
  extras: MessageExtraStores;
  emit: EmitToUser;
  clock: () => number;
}

/** The reply the steps belong to, as far as they need it. */
export interface StepsOwner {
  readonly id: string;
  readonly threadId: string;
  /** Queues a write after the reply's own row (steps refer to it); resolves when it is done. */
  afterRow(write: () => Promise<unknown>): Promise<void>;
}

interface LiveStep {
  row: StepRow;
  open: boolean;
}

/**
 * The steps of one reply while it is written: announced and stored when they start, their
 * streamed text kept here (and shown to a resume), their output stored when they end.
 */
export class LiveSteps {
  private readonly steps = new Map<string, LiveStep>();

  constructor(
    private readonly owner: StepsOwner,
    private readonly deps: LiveStepsDeps,
  ) {}

  /** Starts a step: announced at once, its row queued after the reply's. */
  start(step: { name: string; type: StepType; input: string; parentId: string | null }): { id: string; stored: Promise<void> } {
    const row: StepRow = {
      id: sortableId(),
      message_id: this.owner.id,
      parent_id: step.parentId,
      name: step.name,
      type: step.type,
      input: step.input,
      output: "",
      status: "running",
      started_at: this.deps.clock(),
      ended_at: null,
    };
    this.steps.set(row.id, { row, open: true });
    this.deps.emit("step:start", { threadId: this.owner.threadId, messageId: this.owner.id, step: toMessageStep(row, "streaming") });
    const stored = this.owner.afterRow(() => this.deps.extras.steps.insert({ ...row }));
    return { id: row.id, stored };
  }

  stream(stepId: string, text: string): void {
    const step = this.steps.get(stepId);
    if (step === undefined || !step.open || text === "") return;
    const offset = step.row.output.length;
    step.row.output += text;
    this.deps.emit("step:delta", { threadId: this.owner.threadId, messageId: this.owner.id, stepId, delta: text, offset });
  }

  /** Ends a step (once); `output` replaces what it streamed. */
  end(stepId: string, status: StepStatus, output?: string): Promise<void> {
    const step = this.steps.get(stepId);
    if (step === undefined || !step.open) return Promise.resolve();
    step.open = false;
    if (output !== undefined) step.row.output = output;
    step.row.status = status;
    step.row.ended_at = this.deps.clock();
    const end = { output: step.row.output, status, endedAt: step.row.ended_at };
    this.deps.emit("step:end", {
      threadId: this.owner.threadId,
      messageId: this.owner.id,
      stepId,
      output: end.output,
      status,
      endedAt: new Date(end.endedAt).toISOString(),
    });
    return this.owner.afterRow(() => this.deps.extras.steps.finish(stepId, end));
  }

  /** Ends every step still running, children first (their reply is ending). */
  endOpen(status: StepStatus): void {
    for (const step of [...this.steps.values()].reverse()) if (step.open) void this.end(step.row.id, status).catch(() => undefined);
  }

  /** The steps so far, as a resume shows them. */
  snapshot(): MessageStep[] {
    return [...this.steps.values()].map((step) => toMessageStep(step.row, "streaming"));
  }
}
