import type { Kysely, Migration } from "kysely";

/** OAuth provider tokens kept with a session when the app asks (`auth.oauth.storeTokens`). */
export const sessionProviderTokens: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("session_provider_tokens")
      .addColumn("session_id", "varchar(64)", (c) => c.notNull().references("sessions.id").onDelete("cascade"))
      .addColumn("provider", "varchar(32)", (c) => c.notNull())
      // Encrypted (JWE compact); never the plain token.
      .addColumn("access_token", "text", (c) => c.notNull())
      .addColumn("refresh_token", "text")
      .addColumn("expires_at", "bigint")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("session_provider_tokens_pk", ["session_id", "provider"])
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("session_provider_tokens").execute();
  },
};
