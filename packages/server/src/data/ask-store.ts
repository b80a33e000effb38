import type { AskStatus } from "@parlor/protocol";
import type { Database } from "./database.js";
import type { AskRow } from "./schema.js";

export type { AskRow };

/** The questions apps ask (`chat.ask`): one row per question message. */
export class AskStore {
  constructor(private readonly db: Database) {}

  async insert(row: AskRow): Promise<void> {
    await this.db.insertInto("message_asks").values(row).execute();
  }

  /**
   * Closes a pending question with `status`, in one statement; `false` when it was not
   * pending any more, so of an answer and a timeout only one wins.
   */
  async close(messageId: string, status: Exclude<AskStatus, "pending">): Promise<boolean> {
    const result = await this.db
      .updateTable("message_asks")
      .set({ status })
      .where("message_id", "=", messageId)
      .where("status", "=", "pending")
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async listForThread(threadId: string): Promise<AskRow[]> {
    return this.db
      .selectFrom("message_asks")
      .selectAll()
      .where("message_id", "in", (eb) => eb.selectFrom("messages").select("id").where("thread_id", "=", threadId))
      .execute();
  }
}
