import type { Database } from "./database.js";

export interface ProcessIdentity {
  id: string;
  host: string;
  pid: number;
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
   * those processes. One statement each, whatever the number of replies. Returns how many.
   */
  async interruptAbandonedReplies(aliveSince: number): Promise<number> {
    const result = await this.db
      .updateTable("messages")
      .set({ status: "interrupted" })
      .where("status", "=", "streaming")
      .where((eb) =>
        eb.or([eb("owner_id", "is", null), eb("owner_id", "not in", eb.selectFrom("processes").select("id").where("heartbeat_at", ">=", aliveSince))]),
      )
      .executeTakeFirst();
    await this.db.deleteFrom("processes").where("heartbeat_at", "<", aliveSince).execute();
    return Number(result.numUpdatedRows);
  }
}
