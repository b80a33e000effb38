import type { Kysely, Migration } from "kysely";

/**
 * Who writes a streaming reply: a row per running server process with a heartbeat, and the
 * writing process on each message. A reply whose process is gone can then be told apart from
 * one still being written by another process on the same database.
 */
export const replyOwnership: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("processes")
      .addColumn("id", "varchar(64)", (c) => c.primaryKey())
      .addColumn("host", "varchar(255)", (c) => c.notNull())
      .addColumn("pid", "integer", (c) => c.notNull())
      .addColumn("started_at", "bigint", (c) => c.notNull())
      .addColumn("heartbeat_at", "bigint", (c) => c.notNull())
      .execute();
    // Existing rows (and messages that are not replies being written) have no owner.
    await db.schema.alterTable("messages").addColumn("owner_id", "varchar(64)").execute();
    // The process running a reply in the thread, so a second process refuses a message to it
    // as busy; `null`, or a process that is gone, means free.
    await db.schema.alterTable("threads").addColumn("run_owner", "varchar(64)").execute();
    // Recovery looks for `streaming` messages only: few, found by this index.
    await db.schema.createIndex("messages_status").on("messages").column("status").execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex("messages_status").execute();
    await db.schema.alterTable("threads").dropColumn("run_owner").execute();
    await db.schema.alterTable("messages").dropColumn("owner_id").execute();
    await db.schema.dropTable("processes").execute();
  },
};
