import type { AskStatus } from "@parlor/protocol";
import type { Database } from "./database.js";
import type { ActionRow } from "./schema.js";

export type { ActionRow };

/** An action found for a user, with the thread of its message. */
export interface OwnedAction {
  action: ActionRow;
  threadId: string;
  /** When the message is a question (`chat.ask`): its stored status. */
  askStatus: AskStatus | null;
}

/**
 * The buttons under messages (`reply.actions`, action questions). Lookups are scoped by the
 * user who owns the message's thread: another user's action does not exist, as far as callers
 * can tell.
 */
export class ActionStore {
  constructor(private readonly db: Database) {}

  async insert(rows: readonly ActionRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto("message_actions")
      .values([...rows])
      .execute();
  }

  /** The action `actionId` of message `messageId`, when that message is in one of `userId`'s threads. */
  async findForUser(userId: string, messageId: string, actionId: string): Promise<OwnedAction | null> {
    const row = await this.db
      .selectFrom("message_actions")
      .innerJoin("messages", "messages.id", "message_actions.message_id")
      .innerJoin("threads", "threads.id", "messages.thread_id")
      .leftJoin("message_asks", "message_asks.message_id", "message_actions.message_id")
      .selectAll("message_actions")
      .select(["messages.thread_id as thread_id", "message_asks.status as ask_status"])
      .where("message_actions.id", "=", actionId)
      .where("message_actions.message_id", "=", messageId)
      .where("threads.user_id", "=", userId)
      .executeTakeFirst();
    if (row === undefined) return null;
    const { thread_id, ask_status, ...action } = row;
    return { action, threadId: thread_id, askStatus: ask_status };
  }

  /**
   * Marks the actions used, those not used yet only, in one statement; `true` when `actionId`
   * (the first) was among them, so of two concurrent runs of a `once` action only one wins.
   */
  async markUsed(actionIds: readonly string[], now: number): Promise<boolean> {
    if (actionIds.length === 0) return false;
    const result = await this.db
      .updateTable("message_actions")
      .set({ used_at: now })
      .where("id", "in", actionIds)
      .where("used_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Marks one action used; `false` when it was already. */
  async claim(actionId: string, now: number): Promise<boolean> {
    return this.markUsed([actionId], now);
  }

  async listForMessage(messageId: string): Promise<ActionRow[]> {
    return this.db.selectFrom("message_actions").selectAll().where("message_id", "=", messageId).orderBy("id").execute();
  }

  /** The actions of a thread's messages, in the order they were added. */
  async listForThread(threadId: string): Promise<ActionRow[]> {
    return this.db
      .selectFrom("message_actions")
      .selectAll()
      .where("message_id", "in", (eb) => eb.selectFrom("messages").select("id").where("thread_id", "=", threadId))
      .orderBy("id")
      .execute();
  }
}
