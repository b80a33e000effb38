import { AsyncLocalStorage } from "node:async_hooks";
import type { LiveReply } from "./live-reply.js";

/** The step a callback runs in: a step started there is its child, in the same reply. */
export interface StepScope {
  reply: LiveReply;
  stepId: string;
}

/**
 * Carries the current step through the app's awaits, so `chat.step` inside a step's callback
 * (or anything it calls) finds its parent without the app passing it along.
 */
export const stepScope = new AsyncLocalStorage<StepScope>();
