import type { AskStatus, AskType, MessageStatus, StepStatus, StepType } from "@parlor/protocol";
import type { ColumnType, Insertable, Selectable } from "kysely";

/**
 * The database schema, shared by SQLite and PostgreSQL. Times are milliseconds since the
 * epoch in `bigint` columns (one representation for both dialects); JSON is stored as text.
 */
export interface DatabaseSchema {
  users: UsersTable;
  sessions: SessionsTable;
  threads: ThreadsTable;
  messages: MessagesTable;
  files: FilesTable;
  session_provider_tokens: SessionProviderTokensTable;
  processes: ProcessesTable;
  embed_token_uses: EmbedTokenUsesTable;
  message_steps: MessageStepsTable;
  message_actions: MessageActionsTable;
  message_asks: MessageAsksTable;
}

export interface UsersTable {
  id: string;
  /**
   * How the user logs in: `password`, `header`, `oauth:<provider>` or `embed:<embedding>`; `legacy` for rows from
   * before migration 0006 until their next login. Unique together with `identifier`.
   */
  auth_method: string;
  /** What the app's login callback returned; the same identifier may exist once per method. */
  identifier: string;
  display_name: string | null;
  metadata: string;
  created_at: number;
  updated_at: number;
}

export type ClientKind = "web" | "widget" | "api";

export interface SessionsTable {
  /** 256 random bits, base64url. Never reused: every login makes a new one. */
  id: string;
  user_id: string;
  client: ClientKind;
  created_at: number;
  last_seen_at: number;
  /** Absolute end of the session, whatever the activity. */
  expires_at: number;
  revoked_at: number | null;
  user_agent: string | null;
  ip: string | null;
  /** The embedding a `widget` session was opened through; `null` for other sessions. Optional on insert. */
  embed_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type NewSessionRow = Insertable<SessionsTable>;

export interface ThreadsTable {
  id: string;
  user_id: string;
  name: string;
  created_at: number;
  updated_at: number;
  /**
   * The process (`processes.id`) running `onMessage` in the thread. Free when `null` or when
   * that process is gone. Optional on insert: rows from before it existed have none.
   */
  run_owner: ColumnType<string | null, string | null | undefined, string | null>;
  /** The chat settings the user changed, JSON by setting id; `null` when all are the app's defaults. */
  settings: ColumnType<string | null, string | null | undefined, string | null>;
  /** The profile the chat started with (an id of the app's `profiles`). */
  profile: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface MessagesTable {
  id: string;
  thread_id: string;
  role: "user" | "assistant" | "system";
  content: string;
  /**
   * `streaming` while a process writes it; then `complete`, `error` (the app failed),
   * `stopped` (the user pressed Stop) or `interrupted` (cut short by a shutdown or a crash).
   */
  status: MessageStatus;
  created_at: number;
  parent_id: string | null;
  /** The process (`processes.id`) writing a `streaming` reply; `null` for other messages. */
  owner_id: string | null;
  /** The user's thumbs up (1) or down (-1) on a reply; `null` when none. Optional on insert. */
  feedback_value: ColumnType<number | null, number | null | undefined, number | null>;
  feedback_comment: ColumnType<string | null, string | null | undefined, string | null>;
  /** When an edit or a regeneration replaced the message (out of the visible thread); `null` while it is visible. */
  replaced_at: ColumnType<number | null, number | null | undefined, number | null>;
}

export type ThreadRow = Selectable<ThreadsTable>;
export type MessageRow = Selectable<MessagesTable>;

export interface FilesTable {
  id: string;
  /** The owner: the uploader, or the thread's user for files an app attached to a reply. */
  user_id: string;
  thread_id: string | null;
  /** `null` until the file is attached to a message; the orphan sweep removes it after a while. */
  message_id: string | null;
  /** Sanitized original name: for display and Content-Disposition only, never for storage. */
  name: string;
  /** What the client claimed; kept as metadata, never trusted. */
  declared_type: string | null;
  /** Sniffed from the bytes. */
  mime: string;
  size: number;
  /** Random, never derived from the file name. */
  storage_key: string;
  created_at: number;
}

export type FileRow = Selectable<FilesTable>;

/** OAuth tokens of a session's provider, only when the app sets `auth.oauth.storeTokens`. */
export interface SessionProviderTokensTable {
  session_id: string;
  /** The provider id (`github`, …). */
  provider: string;
  /** JWE compact (dir, A256GCM) under the `oauth-tokens` key: never stored in the clear. */
  access_token: string;
  refresh_token: string | null;
  /** When the access token expires (ms since the epoch), if the provider said. */
  expires_at: number | null;
  created_at: number;
}

export type ProviderTokenRow = Selectable<SessionProviderTokensTable>;

/**
 * Server processes sharing the database, each with a heartbeat: a `streaming` reply whose
 * owner is missing here or has a stale heartbeat belongs to a process that is gone.
 */
export interface ProcessesTable {
  /** Random, new at every start. */
  id: string;
  /** `os.hostname()` and `process.pid`: on the same host, a dead process is known at once. */
  host: string;
  pid: number;
  started_at: number;
  heartbeat_at: number;
}

/** A host token exchanged at `POST /auth/token`, by embedding and `jti`, until it expires. */
export interface EmbedTokenUsesTable {
  embed_id: string;
  jti: string;
  expires_at: number;
}

/** A step an app ran while writing a reply (`chat.step`). */
export interface MessageStepsTable {
  id: string;
  message_id: string;
  parent_id: string | null;
  name: string;
  type: StepType;
  input: string;
  /** Written when the step ends; `""` while it runs (the live text is in memory). */
  output: string;
  status: StepStatus;
  started_at: number;
  ended_at: number | null;
}

/** A button under a message (`reply.actions`); `payload` is JSON and never sent to clients. */
export interface MessageActionsTable {
  id: string;
  message_id: string;
  name: string;
  label: string;
  payload: string;
  /** 1: the action runs once, then `used_at` is set. */
  once: number;
  used_at: number | null;
}

/** The question on a message (`chat.ask`). */
export interface MessageAsksTable {
  message_id: string;
  type: AskType;
  /** JSON array of accepted types. */
  accept: string;
  expires_at: number;
  status: AskStatus;
}

export type StepRow = Selectable<MessageStepsTable>;
export type ActionRow = Selectable<MessageActionsTable>;
export type AskRow = Selectable<MessageAsksTable>;
