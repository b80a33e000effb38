import type { ChatMessage, FileInfo, MessageFeedback, ThreadSummary } from "@parlor/protocol";
import type { MessageRow, ThreadRow } from "../data/thread-store.js";

/**
 * A thread row as clients see it: camelCase, times as ISO 8601. Pure, so the HTTP routes
 * and the realtime layer answer with the same shape.
 *
 * @example
 * toThreadSummary({ id: "t1", user_id: "u1", name: "Trip", created_at: 0, updated_at: 0 })
 * // → { id: "t1", name: "Trip", createdAt: "1970-01-01T00:00:00.000Z", updatedAt: "1970-01-01T00:00:00.000Z" }
 */
export function toThreadSummary(row: ThreadRow): ThreadSummary {
  return {
    id: row.id,
    name: row.name,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/**
 * A message row as clients see it: camelCase, `createdAt` as ISO 8601. Pure.
 *
 * @example
 * toChatMessage(row, files) // → { id, threadId, role, content, status, createdAt: "2025-…Z", parentId, files, steps: [], actions: [] }
 */
export function toChatMessage(row: MessageRow, files: FileInfo[] = []): ChatMessage {
  return {
    id: row.id,
    threadId: row.thread_id,
    role: row.role,
    content: row.content,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    parentId: row.parent_id,
    files,
    steps: [],
    actions: [],
    feedback: toFeedback(row.feedback_value, row.feedback_comment),
  };
}

/** A message's stored feedback as clients see it: `null` when none (or a value Parlor never stores). */
export function toFeedback(value: number | null, comment: string | null): MessageFeedback | null {
  if (value !== 1 && value !== -1) return null;
  return comment === null ? { value } : { value, comment };
}
