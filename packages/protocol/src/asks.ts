/**
 * Questions the app asks the user (`chat.ask`): a message of the thread with an `ask`. A text
 * or file question is answered by the next `message:send` to the thread, an action question
 * by `action:run` with one of the message's actions.
 */

export type AskType = "text" | "file" | "action";

/**
 * `pending` until answered; `expired` when its time ran out (or the server that asked is gone),
 * `cancelled` when the reply that asked was stopped.
 */
export type AskStatus = "pending" | "answered" | "expired" | "cancelled";

/** The question on a message, in thread JSON and in `message:ask`. */
export interface MessageAsk {
  type: AskType;
  status: AskStatus;
  /** For `file`: the accepted types (`image/png`, `image/*`); empty accepts any. */
  accept: string[];
  /** ISO 8601: after this, the question is `expired`. */
  expiresAt: string;
}
