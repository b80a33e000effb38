import type { MessageFeedback } from "@parlor/protocol";

/**
 * What `onFeedback` receives when a user rates a reply (`PUT /api/messages/:id/feedback`),
 * after it is stored. `value` 0 means the user took their feedback back.
 *
 * @example
 * onFeedback({ message, value, comment, user }) {
 *   metrics.record({ reply: message.id, score: value, comment, by: user.identifier });
 * }
 */
export interface FeedbackEvent {
  message: { id: string; threadId: string; content: string };
  value: MessageFeedback["value"] | 0;
  /** `null` when the user wrote none (always with `value` 0). */
  comment: string | null;
  user: { id: string; identifier: string; displayName: string | null };
}
