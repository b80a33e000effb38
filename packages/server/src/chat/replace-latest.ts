import type { MessageRow } from "../data/thread-store.js";

/** What an edit or a regeneration replaces, or why it cannot: the thread's visible messages decide. */
export type Replacement = { ok: true; replaced: string[]; question: MessageRow } | { ok: false; code: "not_found" | "not_latest" };

/**
 * `message:edit`: `messageId` must be the latest user message; it and everything after it
 * (the replies) are replaced. `question` is the message being edited. Pure.
 *
 * @example
 * planEdit([q1, r1, q2, r2], q2.id) // → { ok: true, replaced: [q2.id, r2.id], question: q2 }
 * planEdit([q1, r1, q2, r2], q1.id) // → { ok: false, code: "not_latest" }
 */
export function planEdit(messages: readonly MessageRow[], messageId: string): Replacement {
  const index = messages.findLastIndex((message) => message.role === "user");
  if (messages[index]?.id !== messageId) return refusal(messages, messageId);
  return { ok: true, replaced: messages.slice(index).map((message) => message.id), question: messages[index] };
}

/**
 * `message:regenerate`: `messageId` must be the latest message and not the user's (a reply, or
 * an app error's system message); every message after the latest user message is replaced, and
 * `question` is that user message, answered again. Pure.
 *
 * @example
 * planRegenerate([q1, r1, q2, r2], r2.id) // → { ok: true, replaced: [r2.id], question: q2 }
 */
export function planRegenerate(messages: readonly MessageRow[], messageId: string): Replacement {
  const index = messages.findLastIndex((message) => message.role === "user");
  const last = messages.at(-1);
  if (index === -1 || last?.id !== messageId || last.role === "user") return refusal(messages, messageId);
  return { ok: true, replaced: messages.slice(index + 1).map((message) => message.id), question: messages[index]! };
}

/** `not_found` when the message is not in the visible thread at all; `not_latest` when it is but is not the one. */
function refusal(messages: readonly MessageRow[], messageId: string): Replacement {
  return { ok: false, code: messages.some((message) => message.id === messageId) ? "not_latest" : "not_found" };
}
