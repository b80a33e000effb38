import type { Database } from "./database.js";

/**
 * The `processes` table: one row per running server process, its heartbeat refreshed by one
 * statement per interval (not per reply), and recovery of replies left by processes that are gone.
 */
export class ProcessStore {
  constructor(private readonly db: Database) {}

  async register(id: string, now: number): Promise<void> {
    await this.db.insertInto("processes").values({ id, started_at: now, heartbeat_at: now }).execute();
  }

  /** Re-inserts the row if a sibling's recovery removed it (this process was stalled for a while). */
  async heartbeat(id: string, now: number): Promise<void> {
    const result = await this.db.updateTable("processes").set({ heartbeat_at: now }).where("id", "=", id).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) await this.register(id, now);
  }

  async unregister(id: string): Promise<void> {
    await this.db.deleteFrom("processes").where("id", "=", id).execute();
  }

  /**
   * Marks `interrupted` every `streaming` reply whose owner has no heartbeat since `aliveSince`
   * (or has no row, or none was recorded: replies from before ownership existed), then forgets
   * those processes. One statement each, whatever the number of replies. Returns how many.
   */
  async interruptAbandonedReplies(aliveSince: number): Promise<number> {
    const result = await this.db
      .updateTable("messages")
      .set({ status: "interrupted" })
      .where("status", "=", "streaming")
      .where((eb) =>
        eb.or([
          eb("owner_id", "is", null),
          eb("owner_id", "not in", eb.selectFrom("processes").select("id").where("heartbeat_at", ">=", aliveSince)),
        ]),
      )
      .executeTakeFirst();
    await this.db.deleteFrom("processes").where("heartbeat_at", "<", aliveSince).execute();
    return Number(result.numUpdatedRows);
  }
}
