import type { Database } from "./database.js";
import type { ProviderTokenRow } from "./schema.js";

export type { ProviderTokenRow };

/** Rows of `session_provider_tokens`. The values are already encrypted by the caller. */
export class ProviderTokenStore {
  constructor(private readonly db: Database) {}

  /** One row per session and provider; a new login is a new session, so this only inserts. */
  async insert(row: ProviderTokenRow): Promise<void> {
    await this.db.insertInto("session_provider_tokens").values(row).execute();
  }

  async find(sessionId: string, provider: string): Promise<ProviderTokenRow | null> {
    return (
      (await this.db
        .selectFrom("session_provider_tokens")
        .selectAll()
        .where("session_id", "=", sessionId)
        .where("provider", "=", provider)
        .executeTakeFirst()) ?? null
    );
  }

  /** Revoked sessions keep their row (for the session list) but lose their tokens at once. */
  async deleteForSessions(sessionIds: readonly string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.db.deleteFrom("session_provider_tokens").where("session_id", "in", sessionIds).execute();
  }
}
