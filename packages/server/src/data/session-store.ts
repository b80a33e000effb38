import type { Database } from "./database.js";
import type { ClientKind, NewSessionRow, SessionRow } from "./schema.js";

export type { ClientKind, SessionRow };

/** Session rows: the stateful half of a session, read only off the fast path. */
export class SessionStore {
  constructor(private readonly db: Database) {}

  async insert(row: NewSessionRow): Promise<void> {
    await this.db.insertInto("sessions").values(row).execute();
  }

  async findById(id: string): Promise<SessionRow | null> {
    return (await this.db.selectFrom("sessions").selectAll().where("id", "=", id).executeTakeFirst()) ?? null;
  }

  async touch(id: string, now: number): Promise<void> {
    await this.db.updateTable("sessions").set({ last_seen_at: now }).where("id", "=", id).execute();
  }

  /** Sessions a user can still use, newest first. */
  async listActive(userId: string, now: number, idleTimeoutMs: number): Promise<SessionRow[]> {
    return this.db
      .selectFrom("sessions")
      .selectAll()
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", now)
      .where("last_seen_at", ">", now - idleTimeoutMs)
      .orderBy("last_seen_at", "desc")
      .execute();
  }

  /**
   * Revokes the user's sessions matching `sessionId` (or all of them) that are not revoked
   * yet, and returns the ids it revoked. Scoped by user so nobody revokes another's session.
   */
  async revoke(userId: string, now: number, sessionId?: string): Promise<string[]> {
    let query = this.db.updateTable("sessions").set({ revoked_at: now }).where("user_id", "=", userId).where("revoked_at", "is", null);
    if (sessionId !== undefined) query = query.where("id", "=", sessionId);
    const rows = await query.returning("id").execute();
    return rows.map((row) => row.id);
  }

  /**
   * Revokes every live session opened through an embedding not in `configured` (its config
   * was removed), and returns their ids.
   */
  async revokeRemovedEmbeds(configured: readonly string[], now: number): Promise<string[]> {
    let query = this.db.updateTable("sessions").set({ revoked_at: now }).where("embed_id", "is not", null).where("revoked_at", "is", null);
    if (configured.length > 0) query = query.where("embed_id", "not in", configured);
    const rows = await query.returning("id").execute();
    return rows.map((row) => row.id);
  }

  /** Ids revoked since `since`: reloaded into the revocation set at start-up. */
  async revokedSince(since: number): Promise<string[]> {
    const rows = await this.db.selectFrom("sessions").select("id").where("revoked_at", ">", since).execute();
    return rows.map((row) => row.id);
  }
}
