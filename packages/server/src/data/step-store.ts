import type { StepStatus } from "@parlor/protocol";
import type { Database } from "./database.js";
import type { StepRow } from "./schema.js";

export type { StepRow };

/**
 * The steps of replies (`chat.step`): a row when a step starts, its output and status when it
 * ends. The text a step streams in between lives in memory (live-reply.ts), like a reply's.
 */
export class StepStore {
  constructor(private readonly db: Database) {}

  async insert(row: StepRow): Promise<void> {
    await this.db.insertInto("message_steps").values(row).execute();
  }

  async finish(stepId: string, end: { output: string; status: StepStatus; endedAt: number }): Promise<void> {
    await this.db.updateTable("message_steps").set({ output: end.output, status: end.status, ended_at: end.endedAt }).where("id", "=", stepId).execute();
  }

  /** The steps of a thread's messages, in the order they started. */
  async listForThread(threadId: string): Promise<StepRow[]> {
    return this.db
      .selectFrom("message_steps")
      .selectAll()
      .where("message_id", "in", (eb) => eb.selectFrom("messages").select("id").where("thread_id", "=", threadId))
      .orderBy("started_at")
      .orderBy("id")
      .execute();
  }
}
