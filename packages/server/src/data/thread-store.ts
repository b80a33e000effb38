import { sql } from "kysely";
import { compiledQuery, compiledRowsQuery } from "./compiled-query.js";
import type { Database } from "./database.js";
import type { MessageRow, MessagesTable, ThreadRow } from "./schema.js";
import { InsertBatch } from "./insert-batch.js";
import { sortableId } from "./sortable-id.js";

export type { MessageRow, ThreadRow };

/** A message to insert: feedback and replacement come later, if ever. */
export type NewMessage = Omit<MessageRow, "id" | "owner_id" | "feedback_value" | "feedback_comment" | "replaced_at"> & {
  id?: string;
  owner_id?: string | null;
};

/** What a new thread starts with, besides its name. */
export interface NewThreadOptions {
  /** The process that claims it at once for a run (see `claimThread`). */
  runOwner?: string | null;
  /** The profile the chat starts with. */
  profile?: string | null;
  /** The settings chosen before the first message, as stored JSON. */
  settings?: string | null;
}

const MESSAGE_COLUMNS = [
  "id",
  "thread_id",
  "role",
  "content",
  "status",
  "created_at",
  "parent_id",
  "owner_id",
] as const satisfies readonly (keyof MessageRow)[];

/** The most threads one release statement names. */
const MAX_RELEASED = 256;
const idNameLists: string[][] = [];
/** `id0` … `id<size-1>`: the slots of a release's thread ids, made once per size. */
function idNames(size: number): string[] {
  return (idNameLists[size] ??= Array.from({ length: size }, (_, i) => `id${i}`));
}

export interface ThreadPage {
  threads: ThreadRow[];
  /** Pass back as `cursor` for the next page; `null` on the last page. */
  nextCursor: string | null;
}

export interface ThreadCursor {
  updatedAt: number;
  id: string;
}

export interface ListThreadsOptions {
  limit: number;
  /** From `decodeCursor(nextCursor)` of the previous page. */
  after?: ThreadCursor | null | undefined;
  /** Matches thread names and message contents, case-insensitively. */
  query?: string | undefined;
}

/**
 * Threads and their messages. Every thread lookup is scoped by user id: a thread that is
 * not the user's does not exist, as far as callers can tell.
 */
export class ThreadStore {
  // The statements of every chat message (bench/README.md, "SQL statements per message"),
  // compiled once.
  private readonly insertThreadQuery;
  private readonly claimThreadQuery;
  /** Multi-row INSERTs of messages, one compiled query per group size (see insert-batch.ts). */
  private readonly insertMessagesQueries = new Map<number, (rows: readonly MessageRow[]) => Promise<unknown>>();
  private readonly messageInserts = new InsertBatch<MessageRow>((rows) => this.insertMessageRows(rows));
  /** Thread releases, one compiled query per group size. */
  private readonly releaseQueries = new Map<number, (values: Record<string, unknown>) => Promise<unknown>>();

  constructor(private readonly db: Database) {
    this.insertThreadQuery = compiledQuery<ThreadRow, never>(db, (slot) =>
      db.insertInto("threads").values({
        id: slot("id"),
        user_id: slot("user_id"),
        name: slot("name"),
        created_at: slot("created_at"),
        updated_at: slot("updated_at"),
        run_owner: slot("run_owner"),
        settings: slot("settings"),
        profile: slot("profile"),
      }),
    );
    this.claimThreadQuery = compiledQuery<{ userId: string; threadId: string; owner: string; now: number }, ThreadRow>(db, (slot) =>
      db
        .updateTable("threads")
        .set({ run_owner: slot("owner"), updated_at: slot("now") })
        .where("id", "=", slot("threadId"))
        .where("user_id", "=", slot("userId"))
        .where((eb) =>
          eb.or([eb("run_owner", "is", null), eb("run_owner", "=", slot("owner")), eb("run_owner", "not in", eb.selectFrom("processes").select("id"))]),
        )
        .returningAll(),
    );
  }

  /** A new thread; `runOwner` claims it at once for a run of that process (see `claimThread`). */
  async createThread(
    userId: string,
    name: string,
    now: number,
    { runOwner = null, profile = null, settings = null }: NewThreadOptions = {},
  ): Promise<ThreadRow> {
    const row: ThreadRow = { id: sortableId(), user_id: userId, name, created_at: now, updated_at: now, run_owner: runOwner, settings, profile };
    await this.insertThreadQuery(row);
    return row;
  }

  /**
   * Claims the user's thread for a run of process `owner`, in one statement, so two processes
   * on one database cannot both claim it. Free means: no owner, `owner` itself (the caller
   * keeps one run per thread in memory), or an owner no longer in `processes`. `null` when the
   * thread is not the user's or another live process runs a reply in it. Also stamps
   * `updated_at` with `now` (the new message's activity), in the same statement.
   */
  async claimThread(userId: string, threadId: string, owner: string, now: number): Promise<ThreadRow | null> {
    const { rows } = await this.claimThreadQuery({ userId, threadId, owner, now });
    return rows[0] ?? null;
  }

  /**
   * Ends runs in these threads, in one statement: each thread is freed if `owner` holds it,
   * and stamped with `now` (its reply's activity) either way.
   */
  async releaseThreads(threadIds: readonly string[], owner: string, now: number): Promise<void> {
    // One statement per 256 threads, compiled once per power-of-two size: the list is padded to
    // that size by naming its last thread again (harmless in `in (…)`), so a few SQL texts
    // serve every count. They run in this turn: group commit makes them one SQLite transaction.
    const groups: Promise<unknown>[] = [];
    for (let start = 0; start < threadIds.length; start += MAX_RELEASED) {
      const ids = threadIds.slice(start, start + MAX_RELEASED);
      const size = 2 ** Math.ceil(Math.log2(ids.length));
      const names = idNames(size);
      const values: Record<string, unknown> = { owner, now };
      for (let i = 0; i < size; i++) values[names[i]!] = ids[Math.min(i, ids.length - 1)];
      groups.push(this.releaseQuery(size)(values));
    }
    await Promise.all(groups);
  }

  /** The release of `size` threads, compiled on first use. */
  private releaseQuery(size: number) {
    let query = this.releaseQueries.get(size);
    if (query === undefined) {
      query = compiledQuery<Record<string, unknown>, never>(this.db, (slot) =>
        this.db
          .updateTable("threads")
          .set((eb) => ({
            updated_at: slot("now") as number,
            run_owner: eb
              .case()
              .when("run_owner", "=", slot("owner") as string)
              .then(sql<string | null>`null`)
              .else(eb.ref("run_owner"))
              .end(),
          }))
          .where(
            "id",
            "in",
            idNames(size).map((name) => slot(name) as string),
          ),
      );
      this.releaseQueries.set(size, query);
    }
    return query;
  }

  async findThread(userId: string, threadId: string): Promise<ThreadRow | null> {
    return (await this.db.selectFrom("threads").selectAll().where("id", "=", threadId).where("user_id", "=", userId).executeTakeFirst()) ?? null;
  }

  /** Newest activity first, paged with an opaque cursor. */
  async listThreads(userId: string, { limit, after, query }: ListThreadsOptions): Promise<ThreadPage> {
    let select = this.db.selectFrom("threads").selectAll().where("user_id", "=", userId);
    if (after) {
      select = select.where((eb) => eb.or([eb("updated_at", "<", after.updatedAt), eb.and([eb("updated_at", "=", after.updatedAt), eb("id", "<", after.id)])]));
    }
    if (query) {
      const pattern = `%${query.toLowerCase().replace(/[\\%_]/g, (c) => "\\" + c)}%`;
      select = select.where((eb) =>
        eb.or([
          sql<boolean>`lower(threads.name) like ${pattern} escape '\\'`,
          eb.exists(
            eb
              .selectFrom("messages")
              .select(sql`1`.as("one"))
              .whereRef("messages.thread_id", "=", "threads.id")
              .where("messages.replaced_at", "is", null)
              .where(sql<boolean>`lower(messages.content) like ${pattern} escape '\\'`),
          ),
        ]),
      );
    }
    const rows = await select
      .orderBy("updated_at", "desc")
      .orderBy("id", "desc")
      .limit(limit + 1)
      .execute();
    const threads = rows.slice(0, limit);
    const last = threads.at(-1);
    return { threads, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  async renameThread(userId: string, threadId: string, name: string, now: number): Promise<ThreadRow | null> {
    const row = await this.db
      .updateTable("threads")
      .set({ name, updated_at: now })
      .where("id", "=", threadId)
      .where("user_id", "=", userId)
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }

  /** Deletes the thread and (by cascade) its messages. `false` when it is not the user's. */
  async deleteThread(userId: string, threadId: string): Promise<boolean> {
    const result = await this.db.deleteFrom("threads").where("id", "=", threadId).where("user_id", "=", userId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async touchThread(threadId: string, now: number): Promise<void> {
    await this.db.updateTable("threads").set({ updated_at: now }).where("id", "=", threadId).execute();
  }

  async insertMessage(message: NewMessage): Promise<MessageRow> {
    // Every field named, not spread from `message`: user messages and replies come in objects
    // of different shapes, and a spread of many shapes is V8's slow path (chat path, per row).
    const row: MessageRow = {
      id: message.id ?? sortableId(),
      thread_id: message.thread_id,
      role: message.role,
      content: message.content,
      status: message.status,
      created_at: message.created_at,
      parent_id: message.parent_id,
      owner_id: message.owner_id ?? null,
      feedback_value: null,
      feedback_comment: null,
      replaced_at: null,
    };
    await this.messageInserts.insert(row);
    return row;
  }

  private async insertMessageRows(rows: readonly MessageRow[]): Promise<void> {
    let query = this.insertMessagesQueries.get(rows.length);
    if (query === undefined) {
      query = compiledRowsQuery(this.db, rows.length, MESSAGE_COLUMNS, (values) => this.db.insertInto("messages").values(values as MessageRow[]));
      this.insertMessagesQueries.set(rows.length, query);
    }
    await query(rows);
  }

  async updateMessage(messageId: string, changes: Partial<Pick<MessagesTable, "content" | "status">>): Promise<void> {
    await this.db.updateTable("messages").set(changes).where("id", "=", messageId).execute();
  }

  /** A thread's visible messages (not replaced by an edit or a regeneration) in the order they were written. */
  async listMessages(threadId: string): Promise<MessageRow[]> {
    return this.db
      .selectFrom("messages")
      .selectAll()
      .where("thread_id", "=", threadId)
      .where("replaced_at", "is", null)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
  }

  /**
   * Takes messages out of the visible thread (an edit or a regeneration replaced them) and,
   * for an edit, inserts the new user message, in one transaction: a failure leaves the thread
   * as it was. The files of `moveFilesFrom` (the edited message) go with the new message.
   */
  async replaceMessages(threadId: string, messageIds: readonly string[], now: number, edit?: { message: MessageRow; moveFilesFrom: string }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (messageIds.length > 0) {
        await trx.updateTable("messages").set({ replaced_at: now }).where("thread_id", "=", threadId).where("id", "in", messageIds).execute();
      }
      if (edit === undefined) return;
      await trx.insertInto("messages").values(edit.message).execute();
      await trx.updateTable("files").set({ message_id: edit.message.id }).where("message_id", "=", edit.moveFilesFrom).execute();
    });
  }

  /** Stores a thread's changed settings (JSON, see `ThreadsTable.settings`). */
  async updateSettings(threadId: string, settings: string): Promise<void> {
    await this.db.updateTable("threads").set({ settings }).where("id", "=", threadId).execute();
  }
}

function encodeCursor(row: ThreadRow): string {
  return Buffer.from(JSON.stringify([row.updated_at, row.id])).toString("base64url");
}

/** `null` for anything that is not a cursor this store made; callers answer 400. */
export function decodeCursor(cursor: string): ThreadCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      // The id goes into a query: only what `sortableId()` makes (PostgreSQL refuses NUL).
      typeof value[1] === "string" &&
      /^[\w-]{1,64}$/.test(value[1])
    ) {
      return { updatedAt: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through
  }
  return null;
}
