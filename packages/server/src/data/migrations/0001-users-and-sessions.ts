import type { Kysely, Migration } from "kysely";

export const usersAndSessions: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("users")
      .addColumn("id", "varchar(64)", (c) => c.primaryKey())
      .addColumn("identifier", "varchar(255)", (c) => c.notNull().unique())
      .addColumn("display_name", "varchar(255)")
      .addColumn("metadata", "text", (c) => c.notNull().defaultTo("{}"))
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("sessions")
      .addColumn("id", "varchar(64)", (c) => c.primaryKey())
      .addColumn("user_id", "varchar(64)", (c) => c.notNull().references("users.id").onDelete("cascade"))
      .addColumn("client", "varchar(16)", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("last_seen_at", "bigint", (c) => c.notNull())
      .addColumn("expires_at", "bigint", (c) => c.notNull())
      .addColumn("revoked_at", "bigint")
      .addColumn("user_agent", "varchar(512)")
      .addColumn("ip", "varchar(64)")
      .execute();

    await db.schema.createIndex("sessions_user_id").on("sessions").column("user_id").execute();
    await db.schema.createIndex("sessions_revoked_at").on("sessions").column("revoked_at").execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("sessions").execute();
    await db.schema.dropTable("users").execute();
  },
};
