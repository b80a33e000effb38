import type { Kysely, Migration } from "kysely";

export const threadsAndMessages: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("threads")
      .addColumn("id", "varchar(64)", (c) => c.primaryKey())
      .addColumn("user_id", "varchar(64)", (c) => c.notNull().references("users.id").onDelete("cascade"))
      .addColumn("name", "varchar(255)", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
    // The thread list: a user's threads, newest first, paged by (updated_at, id).
    await db.schema.createIndex("threads_user_updated").on("threads").columns(["user_id", "updated_at", "id"]).execute();

    await db.schema
      .createTable("messages")
      .addColumn("id", "varchar(64)", (c) => c.primaryKey())
      .addColumn("thread_id", "varchar(64)", (c) => c.notNull().references("threads.id").onDelete("cascade"))
      .addColumn("role", "varchar(16)", (c) => c.notNull())
      .addColumn("content", "text", (c) => c.notNull())
      .addColumn("status", "varchar(16)", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("parent_id", "varchar(64)")
      .execute();
    await db.schema.createIndex("messages_thread_created").on("messages").columns(["thread_id", "created_at"]).execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("messages").execute();
    await db.schema.dropTable("threads").execute();
  },
};
