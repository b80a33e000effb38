import type { Kysely, Migration } from "kysely";

/**
 * Issue 13b: the user's feedback on a reply, a thread's chat settings and profile, and the
 * messages an edit or a regeneration replaced. Number 0009: 0008 belongs to issue 13a's steps
 * and actions, merged separately; the two touch different columns.
 */
export const feedbackSettingsEdits: Migration = {
  async up(db: Kysely<unknown>) {
    // Thumbs up (1) or down (-1); `null` when the user gave none or took it back.
    await db.schema.alterTable("messages").addColumn("feedback_value", "integer").execute();
    await db.schema.alterTable("messages").addColumn("feedback_comment", "text").execute();
    // Set when an edit or a regeneration replaced the message: it stays stored (the history
    // of what the app said), out of the visible thread and of `chat.history()`.
    await db.schema.alterTable("messages").addColumn("replaced_at", "bigint").execute();
    // The settings the user changed, as JSON by setting id (the rest are the app's defaults).
    await db.schema.alterTable("threads").addColumn("settings", "text").execute();
    await db.schema.alterTable("threads").addColumn("profile", "varchar(64)").execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("threads").dropColumn("profile").execute();
    await db.schema.alterTable("threads").dropColumn("settings").execute();
    await db.schema.alterTable("messages").dropColumn("replaced_at").execute();
    await db.schema.alterTable("messages").dropColumn("feedback_comment").execute();
    await db.schema.alterTable("messages").dropColumn("feedback_value").execute();
  },
};
