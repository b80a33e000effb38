import type { Database } from "./database.js";
import type { FileRow } from "./schema.js";

export type { FileRow };

/** File metadata rows. The bytes live in a `FileStorage`. */
export class FileStore {
  constructor(private readonly db: Database) {}

  async insert(row: FileRow): Promise<void> {
    await this.db.insertInto("files").values(row).execute();
  }

  /** The file if `userId` owns it; `null` otherwise, exactly as if it did not exist. */
  async findOwned(userId: string, fileId: string): Promise<FileRow | null> {
    return (await this.db.selectFrom("files").selectAll().where("id", "=", fileId).where("user_id", "=", userId).executeTakeFirst()) ?? null;
  }

  async findById(fileId: string): Promise<FileRow | null> {
    return (await this.db.selectFrom("files").selectAll().where("id", "=", fileId).executeTakeFirst()) ?? null;
  }

  /**
   * Attaches the user's not-yet-attached uploads to a message. Returns how many it attached:
   * fewer than asked means some were not the user's, unknown, or already attached.
   */
  async attach(userId: string, fileIds: readonly string[], threadId: string, messageId: string): Promise<number> {
    if (fileIds.length === 0) return 0;
    const result = await this.db
      .updateTable("files")
      .set({ thread_id: threadId, message_id: messageId })
      .where("id", "in", fileIds)
      .where("user_id", "=", userId)
      .where("message_id", "is", null)
      .where((eb) => eb.or([eb("thread_id", "is", null), eb("thread_id", "=", threadId)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** The user's uploads among `fileIds` that can still be attached to a message in `threadId`. */
  async countAttachable(userId: string, fileIds: readonly string[], threadId: string | null): Promise<number> {
    if (fileIds.length === 0) return 0;
    const row = await this.db
      .selectFrom("files")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("id", "in", fileIds)
      .where("user_id", "=", userId)
      .where("message_id", "is", null)
      .where((eb) => (threadId === null ? eb("thread_id", "is", null) : eb.or([eb("thread_id", "is", null), eb("thread_id", "=", threadId)])))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** How many of the user's uploads wait unattached to any message (the upload quota counts them). */
  async countUnattached(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom("files")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("user_id", "=", userId)
      .where("message_id", "is", null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Files of the given messages, for rendering threads. */
  async listForMessages(messageIds: readonly string[]): Promise<FileRow[]> {
    if (messageIds.length === 0) return [];
    return this.db.selectFrom("files").selectAll().where("message_id", "in", messageIds).orderBy("id").execute();
  }

  async listForThread(threadId: string): Promise<FileRow[]> {
    return this.db.selectFrom("files").selectAll().where("thread_id", "=", threadId).execute();
  }

  async delete(fileId: string): Promise<void> {
    await this.db.deleteFrom("files").where("id", "=", fileId).execute();
  }

  /** Uploads older than `before` that never got attached to a message. */
  async listOrphans(before: number, limit: number): Promise<FileRow[]> {
    return this.db
      .selectFrom("files")
      .selectAll()
      .where("message_id", "is", null)
      .where("created_at", "<", before)
      .orderBy("created_at")
      .limit(limit)
      .execute();
  }
}
