import type { Database } from "./database.js";

export interface ProcessIdentity {
  id: string;
  host: string;
  pid: number;
}

/** A reply left `streaming` by a process that is gone, now stored `interrupted`. */
export interface AbandonedReply {
  messageId: string;
  threadId: string;
  /** The thread's user, whose clients are told. */
  userId: string;
}

/**
 * The `processes` table: one row per running server process, its heartbeat refreshed by one
 * statement per interval (not per reply), and recovery of replies left by processes that are gone.
 */
export class ProcessStore {
  constructor(private readonly db: Database) {}

  async register(process: ProcessIdentity, now: number): Promise<void> {
    await this.db
      .insertInto("processes")
      .values({ ...process, started_at: now, heartbeat_at: now })
      .execute();
  }

  /** Re-inserts the row if a sibling's recovery removed it (this process was stalled for a while). */
  async heartbeat(process: ProcessIdentity, now: number): Promise<void> {
    const result = await this.db.updateTable("processes").set({ heartbeat_at: now }).where("id", "=", process.id).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) await this.register(process, now);
  }

  /** The other processes registered from this host. */
  async othersOnHost(process: ProcessIdentity): Promise<ProcessIdentity[]> {
    return this.db.selectFrom("processes").select(["id", "host", "pid"]).where("host", "=", process.host).where("id", "<>", process.id).execute();
  }

  async unregister(...ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.deleteFrom("processes").where("id", "in", ids).execute();
  }

  /**
   * Marks `interrupted` every `streaming` reply whose owner has no heartbeat since `aliveSince`
   * (or has no row, or none was recorded: replies from before ownership existed), then forgets
   * those processes. One statement each, whatever the number of replies, and a third only
   * when replies were marked, for their users. Returns the replies marked, each by exactly one
   * caller: concurrent callers' UPDATEs of a row are serialized, and only the first still finds
   * it `streaming`.
   */
  async interruptAbandonedReplies(aliveSince: number): Promise<AbandonedReply[]> {
    const marked = await this.db
      .updateTable("messages")
      .set({ status: "interrupted" })
      .where("status", "=", "streaming")
      .where((eb) =>
        eb.or([eb("owner_id", "is", null), eb("owner_id", "not in", eb.selectFrom("processes").select("id").where("heartbeat_at", ">=", aliveSince))]),
      )
      .returning(["id", "thread_id"])
      .execute();
    await this.db.deleteFrom("processes").where("heartbeat_at", "<", aliveSince).execute();
    if (marked.length === 0) return [];
    const threadIds = [...new Set(marked.map((row) => row.thread_id))];
    const owners = await this.db.selectFrom("threads").select(["id", "user_id"]).where("id", "in", threadIds).execute();
    const userOf = new Map(owners.map((thread) => [thread.id, thread.user_id]));
    return marked.flatMap((row) => {
      const userId = userOf.get(row.thread_id);
      // A thread deleted in between has nobody left to tell.
      return userId === undefined ? [] : [{ messageId: row.id, threadId: row.thread_id, userId }];
    });
  }
}
