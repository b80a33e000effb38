import { randomUUID } from "node:crypto";
import type { Database } from "./database.js";
import type { UserRow } from "./schema.js";

/**
 * How a user logged in. Users are kept apart by it: the same identifier from password login,
 * header login and each OAuth provider is a different user, so a password user named
 * `corp:<sub>` can never become provider `corp`'s user `<sub>`.
 */
export type LoginMethod = "password" | "header" | `oauth:${string}` | `embed:${string}`;

/**
 * Rows from before login methods were recorded (migration 0006). Each is taken over by the
 * first login allowed to claim it (see `mayClaimLegacyRow`), and keeps its id, threads and files.
 */
export const LEGACY_METHOD = "legacy";

export interface User {
  id: string;
  method: LoginMethod;
  identifier: string;
  displayName: string | null;
  metadata: Record<string, unknown>;
  createdAt: number;
}

export interface UserInput {
  method: LoginMethod;
  identifier: string;
  displayName?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
}

export interface UserStoreOptions {
  /** Ids of the configured OAuth providers: `<id>:…` legacy identifiers are reserved for them. */
  oauthProviders?: readonly string[];
}

/** Users as the app's login callbacks describe them, one row per login method and identifier. */
export class UserStore {
  private readonly oauthProviders: readonly string[];

  constructor(
    private readonly db: Database,
    options: UserStoreOptions = {},
  ) {
    this.oauthProviders = options.oauthProviders ?? [];
  }

  /**
   * Creates the user on first login; later logins update the display name (and metadata,
   * when the callback returns some). The insert is one statement, so concurrent first logins
   * cannot create two rows.
   */
  async upsert(input: UserInput, now = Date.now()): Promise<User> {
    const metadata = input.metadata === undefined ? undefined : JSON.stringify(input.metadata);
    const changes = { display_name: input.displayName ?? null, ...(metadata === undefined ? {} : { metadata }), updated_at: now };

    const claimed = mayClaimLegacyRow(input.method, input.identifier, this.oauthProviders) ? await this.claimLegacyRow(input, changes) : undefined;
    if (claimed) return toUser(claimed);

    const row = await this.db
      .insertInto("users")
      .values({
        id: randomUUID(),
        auth_method: input.method,
        identifier: input.identifier,
        display_name: input.displayName ?? null,
        metadata: metadata ?? "{}",
        created_at: now,
        updated_at: now,
      })
      .onConflict((conflict) => conflict.columns(["auth_method", "identifier"]).doUpdateSet(changes))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(row);
  }

  async findById(id: string): Promise<User | null> {
    const row = await this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  /**
   * Gives a pre-0006 row with this identifier to this login method, in one statement (two
   * concurrent first logins cannot both claim it). Not when the method already has its own
   * row for the identifier: that row stays the user.
   */
  private claimLegacyRow(input: UserInput, changes: { display_name: string | null; metadata?: string; updated_at: number }) {
    return (
      this.db
        .updateTable("users")
        .set({ ...changes, auth_method: input.method })
        .where("auth_method", "=", LEGACY_METHOD)
        .where("identifier", "=", input.identifier)
        // eslint-disable-next-line @typescript-eslint/unbound-method -- Kysely binds its expression builder's functions; destructuring them is its documented idiom
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom("users as own").select("own.id").where("own.auth_method", "=", input.method).where("own.identifier", "=", input.identifier))),
        )
        .returningAll()
        .executeTakeFirst()
    );
  }
}

/**
 * Which login may take over a legacy row. Before 0006 an identifier meant one user whatever
 * the login method, so a legacy `corp:123` may be provider `corp`'s user 123 or a password user
 * who picked that name. An identifier shaped like a configured provider's default
 * (`<provider>:<sub>`) is claimed only by that provider's login: the attack this migration
 * closes must not survive in the old rows. Any other identifier goes to the first method that
 * logs in with it, as before 0006, and from then on belongs to that method only.
 */
export function mayClaimLegacyRow(method: LoginMethod, identifier: string, oauthProviders: readonly string[]): boolean {
  const reservedFor = oauthProviders.find((provider) => identifier.startsWith(`${provider}:`));
  return reservedFor === undefined || method === `oauth:${reservedFor}`;
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    method: row.auth_method as LoginMethod,
    identifier: row.identifier,
    displayName: row.display_name,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    createdAt: Number(row.created_at),
  };
}
