import type { Kysely, Migration } from "kysely";

export const files: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("files")
      .addColumn("id", "varchar(64)", (c) => c.primaryKey())
      .addColumn("user_id", "varchar(64)", (c) => c.notNull().references("users.id").onDelete("cascade"))
      .addColumn("thread_id", "varchar(64)", (c) => c.references("threads.id").onDelete("cascade"))
      .addColumn("message_id", "varchar(64)", (c) => c.references("messages.id").onDelete("cascade"))
      .addColumn("name", "varchar(255)", (c) => c.notNull())
      .addColumn("declared_type", "varchar(255)")
      .addColumn("mime", "varchar(255)", (c) => c.notNull())
      .addColumn("size", "bigint", (c) => c.notNull())
      .addColumn("storage_key", "varchar(128)", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("files_message").on("files").column("message_id").execute();
    await db.schema.createIndex("files_thread").on("files").column("thread_id").execute();
    // The orphan sweep: unattached uploads by age.
    await db.schema.createIndex("files_unattached").on("files").columns(["message_id", "created_at"]).execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("files").execute();
  },
};
