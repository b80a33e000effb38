import type { ChatMessage, MessageAction, MessageAsk, MessageStatus, MessageStep, StepStatus } from "@parlor/protocol";
import type { ActionRow } from "../data/action-store.js";
import type { AskRow } from "../data/ask-store.js";
import type { StepRow } from "../data/step-store.js";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A step row as clients see it. A step still `running` in a message that is no longer
 * streaming was cut off by a crash: it ends as its message did.
 */
export function toMessageStep(row: StepRow, messageStatus: MessageStatus): MessageStep {
  const status: StepStatus = row.status === "running" && messageStatus !== "streaming" ? endedAs(messageStatus) : row.status;
  return {
    id: row.id,
    parentId: row.parent_id,
    name: row.name,
    type: row.type,
    input: row.input,
    output: row.output,
    status,
    startedAt: iso(row.started_at),
    endedAt: row.ended_at === null ? null : iso(row.ended_at),
  };
}

/** How the steps still open in a message end when the message ends with `status`. */
export function endedAs(status: MessageStatus): StepStatus {
  return status === "complete" || status === "streaming" ? "complete" : status;
}

/** An action as clients see it: no payload. */
export function toMessageAction(row: ActionRow): MessageAction {
  return { id: row.id, name: row.name, label: row.label, ...(row.used_at === null ? {} : { used: true as const }) };
}

/** A question as clients see it; a pending one past its time is `expired` (its server is gone). */
export function toMessageAsk(row: AskRow, now: number): MessageAsk {
  return {
    type: row.type,
    status: row.status === "pending" && row.expires_at <= now ? "expired" : row.status,
    accept: JSON.parse(row.accept) as string[],
    expiresAt: iso(row.expires_at),
  };
}

/** The rows of a thread's steps, actions and questions, by message. */
export interface ThreadExtras {
  steps: readonly StepRow[];
  actions: readonly ActionRow[];
  asks: readonly AskRow[];
}

/** Gives each message its steps, actions and question. Pure. */
export function withExtras(messages: ChatMessage[], extras: ThreadExtras, now: number): ChatMessage[] {
  const byId = new Map(messages.map((message) => [message.id, message]));
  for (const row of extras.steps) {
    const message = byId.get(row.message_id);
    message?.steps.push(toMessageStep(row, message.status));
  }
  for (const row of extras.actions) byId.get(row.message_id)?.actions.push(toMessageAction(row));
  for (const row of extras.asks) {
    const message = byId.get(row.message_id);
    if (message) message.ask = toMessageAsk(row, now);
  }
  return messages;
}
