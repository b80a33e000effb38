import type { Kysely, Migration } from "kysely";

/**
 * The embeddable widget: a session remembers the embedding it was opened through (listed on
 * the sessions page, ended when the embedding is removed), and every host token's `jti` is
 * recorded until the token expires, so a token is exchanged once, across restarts too.
 */
export const embeds: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("sessions").addColumn("embed_id", "varchar(64)").execute();
    // The primary key is what makes a claim atomic: of two concurrent inserts, one conflicts.
    await db.schema
      .createTable("embed_token_uses")
      .addColumn("embed_id", "varchar(64)", (c) => c.notNull())
      .addColumn("jti", "varchar(255)", (c) => c.notNull())
      .addColumn("expires_at", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("embed_token_uses_pk", ["embed_id", "jti"])
      .execute();
    await db.schema.createIndex("embed_token_uses_expires").on("embed_token_uses").column("expires_at").execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("embed_token_uses").execute();
    await db.schema.alterTable("sessions").dropColumn("embed_id").execute();
  },
};
