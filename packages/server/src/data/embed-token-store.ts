import type { Database } from "./database.js";

/** The `jti` of every host token exchanged, kept until the token expires: single use. */
export class EmbedTokenStore {
  constructor(private readonly db: Database) {}

  /**
   * Records the token's use; `false` when it was used before. One `INSERT … ON CONFLICT DO
   * NOTHING`, so of two concurrent exchanges of one token (on any number of processes) only
   * one gets `true`, on SQLite and PostgreSQL alike.
   */
  async claim(embedId: string, jti: string, expiresAt: number): Promise<boolean> {
    const rows = await this.db
      .insertInto("embed_token_uses")
      .values({ embed_id: embedId, jti, expires_at: expiresAt })
      .onConflict((conflict) => conflict.columns(["embed_id", "jti"]).doNothing())
      .returning("jti")
      .execute();
    return rows.length === 1;
  }

  /** Forgets the uses of tokens that have expired: they are refused by their `exp` anyway. */
  async sweep(now: number): Promise<void> {
    await this.db.deleteFrom("embed_token_uses").where("expires_at", "<", now).execute();
  }
}
