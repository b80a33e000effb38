import type { ChatMessage, MessageAction, MessageAsk, MessageStep, StepStatus, StepType } from "@parlor/protocol";
import { array, isObject, nullableString, object, oneOf, string, type JsonObject } from "./narrow.js";

/**
 * What a message carries besides its text and files, read from the wire (thread JSON and
 * the `step:*`, `message:actions`, `message:ask` events) and applied to a message.
 */

const STEP_TYPES: readonly StepType[] = ["tool", "retrieval", "llm", "reasoning", "run"];
const STEP_STATUSES: readonly StepStatus[] = ["running", "complete", "error", "stopped", "interrupted"];

export function messageStep(value: unknown): MessageStep {
  const step = object(value, "step");
  return {
    id: string(step.id, "step.id"),
    parentId: nullableString(step.parentId, "step.parentId"),
    name: string(step.name, "step.name"),
    type: oneOf(STEP_TYPES, step.type, "step.type"),
    input: string(step.input, "step.input"),
    output: string(step.output, "step.output"),
    status: oneOf(STEP_STATUSES, step.status, "step.status"),
    startedAt: string(step.startedAt, "step.startedAt"),
    endedAt: nullableString(step.endedAt, "step.endedAt"),
  };
}

export function messageAction(value: unknown): MessageAction {
  const action = object(value, "action");
  return {
    id: string(action.id, "action.id"),
    name: string(action.name, "action.name"),
    label: string(action.label, "action.label"),
    ...(action.used === true ? { used: true as const } : {}),
  };
}

export function messageAsk(value: unknown): MessageAsk {
  const ask = object(value, "ask");
  return {
    type: oneOf(["text", "file", "action"] as const, ask.type, "ask.type"),
    status: oneOf(["pending", "answered", "expired", "cancelled"] as const, ask.status, "ask.status"),
    accept: array(ask.accept ?? [], "ask.accept").map((type) => string(type, "ask.accept")),
    expiresAt: string(ask.expiresAt, "ask.expiresAt"),
  };
}

/** `steps`, `actions` and `ask` of a message in thread JSON; older servers send none. */
export function messageExtras(message: JsonObject): Pick<ChatMessage, "steps" | "actions" | "ask"> {
  return {
    steps: message.steps === undefined ? [] : array(message.steps, "message.steps").map(messageStep),
    actions: message.actions === undefined ? [] : array(message.actions, "message.actions").map(messageAction),
    ...(isObject(message.ask) ? { ask: messageAsk(message.ask) } : {}),
  };
}

/** The events that change a message's extras. */
export type ExtrasEvent = "step:start" | "step:delta" | "step:end" | "message:actions" | "message:ask";

/** One extras event applied to its message (a new object). */
export function applyExtrasEvent<T extends ChatMessage>(
  message: T,
  event: ExtrasEvent,
  payload: JsonObject,
  applyDelta: (text: string, delta: string, offset: unknown) => string,
): T {
  switch (event) {
    case "step:start": {
      const step = messageStep(payload.step);
      if (message.steps.some((known) => known.id === step.id)) return message;
      return { ...message, steps: [...message.steps, step] };
    }
    case "step:delta": {
      const id = string(payload.stepId, "stepId");
      const delta = string(payload.delta, "delta");
      return { ...message, steps: message.steps.map((step) => (step.id === id ? { ...step, output: applyDelta(step.output, delta, payload.offset) } : step)) };
    }
    case "step:end": {
      const id = string(payload.stepId, "stepId");
      const end = {
        output: string(payload.output, "output"),
        status: oneOf(STEP_STATUSES, payload.status, "status"),
        endedAt: string(payload.endedAt, "endedAt"),
      };
      return { ...message, steps: message.steps.map((step) => (step.id === id ? { ...step, ...end } : step)) };
    }
    case "message:actions":
      return { ...message, actions: array(payload.actions, "actions").map(messageAction) };
    case "message:ask":
      return { ...message, ask: messageAsk(payload.ask) };
  }
}

/** The question waiting for the user's answer in a thread, if any: the newest pending one. */
export function pendingAsk<T extends ChatMessage>(messages: readonly T[]): (T & { ask: MessageAsk }) | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.ask?.status === "pending") return message as T & { ask: MessageAsk };
  }
  return null;
}
