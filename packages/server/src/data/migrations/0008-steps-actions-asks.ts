import type { Kysely, Migration } from "kysely";

/**
 * What an app shows with a reply besides its text: the steps it ran (`chat.step`), the buttons
 * under it (`reply.actions`, with the payload that never leaves the server) and, on a question
 * (`chat.ask`), what kind of answer it waits for and until when. Each goes with its message
 * (cascade), so deleting a thread deletes them.
 */
export const stepsActionsAsks: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("message_steps")
      .addColumn("id", "varchar(64)", (c) => c.primaryKey())
      .addColumn("message_id", "varchar(64)", (c) => c.notNull().references("messages.id").onDelete("cascade"))
      .addColumn("parent_id", "varchar(64)")
      .addColumn("name", "varchar(100)", (c) => c.notNull())
      .addColumn("type", "varchar(16)", (c) => c.notNull())
      .addColumn("input", "text", (c) => c.notNull())
      .addColumn("output", "text", (c) => c.notNull())
      .addColumn("status", "varchar(16)", (c) => c.notNull())
      .addColumn("started_at", "bigint", (c) => c.notNull())
      .addColumn("ended_at", "bigint")
      .execute();
    await db.schema.createIndex("message_steps_message").on("message_steps").column("message_id").execute();

    await db.schema
      .createTable("message_actions")
      .addColumn("id", "varchar(64)", (c) => c.primaryKey())
      .addColumn("message_id", "varchar(64)", (c) => c.notNull().references("messages.id").onDelete("cascade"))
      .addColumn("name", "varchar(64)", (c) => c.notNull())
      .addColumn("label", "varchar(255)", (c) => c.notNull())
      // JSON, for the app only.
      .addColumn("payload", "text", (c) => c.notNull())
      // 1 when the action may run once; `used_at` is then set, atomically, by the run that wins.
      .addColumn("once", "integer", (c) => c.notNull())
      .addColumn("used_at", "bigint")
      .execute();
    await db.schema.createIndex("message_actions_message").on("message_actions").column("message_id").execute();

    await db.schema
      .createTable("message_asks")
      .addColumn("message_id", "varchar(64)", (c) => c.primaryKey().references("messages.id").onDelete("cascade"))
      .addColumn("type", "varchar(16)", (c) => c.notNull())
      // JSON array of accepted types, for file questions.
      .addColumn("accept", "text", (c) => c.notNull())
      .addColumn("expires_at", "bigint", (c) => c.notNull())
      .addColumn("status", "varchar(16)", (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("message_asks").execute();
    await db.schema.dropTable("message_actions").execute();
    await db.schema.dropTable("message_steps").execute();
  },
};
