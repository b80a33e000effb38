import type { Chat, Reply } from "parlor";

/**
 * The part of Parlor's `Chat` these helpers use: the stop signal, the reply, and steps. A
 * `Pick`, so a test or an app can hand in anything with the same three members.
 */
export type LlmChat = Pick<Chat, "signal" | "reply" | "step">;

/** The part of a Parlor `Reply` the helpers write to. */
export type LlmReply = Pick<Reply, "stream" | "end">;

/** What a helper returns once the model is done (or the user stopped it). */
export interface LlmResult {
  /** The text streamed into the reply. */
  text: string;
  /** True when the user's stop ended it early; the reply keeps what was written. */
  stopped: boolean;
}
