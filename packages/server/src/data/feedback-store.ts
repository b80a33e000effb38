import type { Database } from "./database.js";
import type { MessageRow } from "./schema.js";

/** The message feedback is given on, as its owner sees it. */
export type RatedMessage = Pick<MessageRow, "id" | "thread_id" | "role" | "content">;

/** The user's thumbs up or down on replies (`messages.feedback_value`, `feedback_comment`). */
export class FeedbackStore {
  constructor(private readonly db: Database) {}

  /**
   * A visible message of one of `userId`'s threads; `null` when it does not exist, is
   * another user's or was replaced, exactly alike, so ids cannot be probed.
   */
  async findOwnedMessage(userId: string, messageId: string): Promise<RatedMessage | null> {
    const row = await this.db
      .selectFrom("messages")
      .innerJoin("threads", "threads.id", "messages.thread_id")
      .select(["messages.id", "messages.thread_id", "messages.role", "messages.content"])
      .where("messages.id", "=", messageId)
      .where("threads.user_id", "=", userId)
      .where("messages.replaced_at", "is", null)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Stores (or, with `value` null, clears) the feedback of one message; `false` when it is gone. */
  async set(messageId: string, value: 1 | -1 | null, comment: string | null): Promise<boolean> {
    const result = await this.db
      .updateTable("messages")
      .set({ feedback_value: value, feedback_comment: comment })
      .where("id", "=", messageId)
      .where("replaced_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
