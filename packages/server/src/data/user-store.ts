import { randomUUID } from "node:crypto";
import type { Database } from "./database.js";
import type { UserRow } from "./schema.js";

export interface User {
  id: string;
  identifier: string;
  displayName: string | null;
  metadata: Record<string, unknown>;
  createdAt: number;
}

export interface UserInput {
  identifier: string;
  displayName?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
}

/** Users as the app's login callbacks describe them, one row per identifier. */
export class UserStore {
  constructor(private readonly db: Database) {}

  /**
   * Creates the user on first login; later logins update the display name (and metadata,
   * when the callback returns some). One statement, so concurrent first logins cannot
   * create two rows.
   */
  async upsert(input: UserInput, now = Date.now()): Promise<User> {
    const metadata = input.metadata === undefined ? undefined : JSON.stringify(input.metadata);
    const row = await this.db
      .insertInto("users")
      .values({
        id: randomUUID(),
        identifier: input.identifier,
        display_name: input.displayName ?? null,
        metadata: metadata ?? "{}",
        created_at: now,
        updated_at: now,
      })
      .onConflict((conflict) =>
        conflict.column("identifier").doUpdateSet({
          display_name: input.displayName ?? null,
          ...(metadata === undefined ? {} : { metadata }),
          updated_at: now,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(row);
  }

  async findById(id: string): Promise<User | null> {
    const row = await this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toUser(row) : null;
  }
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    identifier: row.identifier,
    displayName: row.display_name,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    createdAt: Number(row.created_at),
  };
}
