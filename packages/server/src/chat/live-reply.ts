import type { FileInfo, MessageAction, MessageStatus, ServerToClientEvents } from "@parlor/protocol";
import { setTimeout as sleep } from "node:timers/promises";
import type { ActionDefinition, ActionOptions, Reply, ReplyAttachment } from "../app/define-app.js";
import { isDatabaseUnavailable } from "../data/database-unavailable.js";
import type { MessageExtraStores } from "../data/message-extras.js";
import type { ThreadStore } from "../data/thread-store.js";
import type { FileService } from "../files/file-service.js";
import { endedAs, toMessageAction } from "../threads/extras-json.js";
import { actionRows } from "./action-rows.js";
import { LiveSteps } from "./live-steps.js";

/** Sends a server event to every client of the reply's user. */
/** Broadcasts to a user's sockets; `client:call` is not one: it goes to one socket and waits for its answer. */
export type EmitToUser = <E extends Exclude<keyof ServerToClientEvents, "client:call">>(event: E, ...args: Parameters<ServerToClientEvents[E]>) => void;

export interface LiveReplyDeps {
  threads: ThreadStore;
  files: FileService;
  /** Where the reply's steps and actions are stored. */
  extras: MessageExtraStores;
  /** The app has an `onAction`: without one, `reply.actions()` is a mistake. */
  hasOnAction: boolean;
  /** The thread's owner, who owns the files the app attaches. */
  userId: string;
  emit: EmitToUser;
  clock: () => number;
  /** This process's id, stored as the reply's owner while it streams (see process-lease.ts). */
  ownerId: string;
  /**
   * Set once the run was cut short (`stopped` by the user, `interrupted` by a shutdown): an
   * `end()` after that stores this status, never `complete`.
   */
  cutShort: () => CutStatus | null;
}

/** How a reply ends when it did not finish on its own. */
export type CutStatus = Extract<MessageStatus, "stopped" | "interrupted">;

/** Partial content is written at most this often while streaming, so a resume sees it. */
const PERSIST_EVERY_MS = 250;

/**
 * An assistant message while it is written. Created synchronously (`chat.reply()` is not
 * async) and announced at once with `message:new`, so clients always see it before the first
 * delta. Its row is written one event-loop turn later: a reply that ends within that turn
 * (an app that answers from memory, an echo) is stored by a single INSERT with its final text
 * and status instead of an INSERT and an UPDATE; any other reply has its `streaming` row a
 * turn after it started, as crash recovery and resume expect. Writes to the database are
 * chained, so they land in order; `end()` persists before announcing `message:end`.
 */
export class LiveReply implements Reply {
  private text = "";
  private closed = false;
  /** Whether the row's INSERT has been queued on `writes`. */
  private stored = false;
  private writes: Promise<unknown> = Promise.resolve();
  private persistTimer: NodeJS.Timeout | undefined;
  private readonly storeTimer: NodeJS.Immediate;
  private readonly createdAtMs: number;
  private readonly actionList: MessageAction[] = [];
  /** The steps the app runs in this reply (`chat.step`). */
  readonly steps: LiveSteps;

  constructor(
    readonly id: string,
    readonly threadId: string,
    private readonly deps: LiveReplyDeps,
    initialContent = "",
  ) {
    this.text = initialContent;
    this.createdAtMs = deps.clock();
    this.steps = new LiveSteps(this, deps);
    deps.emit("message:new", { threadId, messageId: id, role: "assistant", content: initialContent, status: "streaming", files: [] });
    this.storeTimer = setImmediate(() => {
      // attach() may have stored the row already, within this same turn.
      if (!this.closed && !this.stored) this.store("streaming");
    });
  }

  /** What has been written so far, ahead of the database. */
  get content(): string {
    return this.text;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** When the reply was started, ISO 8601, as its row will say. */
  get createdAt(): string {
    return new Date(this.createdAtMs).toISOString();
  }

  async stream(text: string): Promise<void> {
    if (typeof text !== "string") throw new TypeError("reply.stream() takes a string");
    await this.writes;
    if (this.closed || text === "") return;
    const offset = this.text.length;
    this.text += text;
    this.deps.emit("message:delta", { threadId: this.threadId, messageId: this.id, delta: text, offset });
    this.schedulePersist();
  }

  async update(text: string): Promise<void> {
    if (typeof text !== "string") throw new TypeError("reply.update() takes a string");
    await this.writes;
    if (this.closed) return;
    this.text = text;
    this.deps.emit("message:update", { threadId: this.threadId, messageId: this.id, content: text });
    this.schedulePersist();
  }

  async attach(attachment: ReplyAttachment): Promise<FileInfo> {
    // The file's row refers to this message's row: store it first.
    if (!this.stored && !this.closed) this.store("streaming");
    await this.writes;
    if (this.closed) throw new Error("reply.attach() after the reply ended");
    const data = attachment.data;
    const body = typeof data === "string" || data instanceof Uint8Array ? [typeof data === "string" ? Buffer.from(data) : data] : data;
    const row = await this.deps.files.create({
      userId: this.deps.userId,
      threadId: this.threadId,
      messageId: this.id,
      name: attachment.name,
      body: toAsyncIterable(body),
    });
    const file = this.deps.files.info(row);
    this.deps.emit("message:file", { threadId: this.threadId, messageId: this.id, file });
    return file;
  }

  async actions(actions: ActionDefinition[], options?: ActionOptions): Promise<MessageAction[]> {
    if (!this.deps.hasOnAction) throw new TypeError("reply.actions() needs the app's onAction, which runs them");
    const rows = actionRows(this.id, actions, options);
    if (this.closed) throw new Error("reply.actions() after the reply ended");
    const added = rows.map(toMessageAction);
    this.actionList.push(...added);
    await this.afterRow(() => this.deps.extras.actions.insert(rows));
    this.deps.emit("message:actions", { threadId: this.threadId, messageId: this.id, actions: [...this.actionList] });
    return added;
  }

  /**
   * Queues a write that refers to the reply's row (a step, an action) after it, storing the
   * row now if it is not yet; resolves (or rejects) with that write.
   */
  afterRow(write: () => Promise<unknown>): Promise<void> {
    if (!this.stored && !this.closed) this.store("streaming");
    const done = this.writes.then(write);
    this.writes = done.catch(() => undefined);
    return done.then(() => undefined);
  }

  end(): Promise<void> {
    return this.finish(this.deps.cutShort() ?? "complete");
  }

  /** Ends the reply now, as `stopped` or `interrupted`, keeping what was written. */
  cut(status: CutStatus): Promise<void> {
    return this.finish(status);
  }

  /** Ends the message as failed, keeping what was written. */
  fail(): Promise<void> {
    return this.finish("error");
  }

  /** Queues the row's INSERT with the text so far. */
  private store(status: MessageStatus): void {
    this.stored = true;
    const row = {
      id: this.id,
      thread_id: this.threadId,
      role: "assistant" as const,
      content: this.text,
      status,
      created_at: this.createdAtMs,
      parent_id: null,
      owner_id: this.deps.ownerId,
    };
    const insert = () => this.deps.threads.insertMessage(row);
    // A reply that ends within its first turn is stored by this one write: its last (finish).
    this.queue(status === "streaming" ? insert : () => untilDatabaseAnswers(insert));
  }

  /**
   * Chains a write after the previous ones. A failed write is reported to whoever awaits
   * `writes` next (the app's next `stream()`, `update()` or `end()`); until then it must not
   * count as an unhandled rejection, which would end the process.
   */
  private queue(write: () => Promise<unknown>): void {
    this.writes = this.writes.then(write);
    this.writes.catch(() => undefined);
  }

  private async finish(status: MessageStatus): Promise<void> {
    if (this.closed) return this.writes.then(() => undefined);
    this.closed = true;
    clearTimeout(this.persistTimer);
    clearImmediate(this.storeTimer);
    this.writes = this.writes.catch(() => undefined);
    if (this.stored) {
      // The last write waits out a database outage: given up, the row would stay `streaming`
      // for as long as this process lives (recovery only takes replies of dead processes),
      // and the clients would never get `message:end`. (The INSERT of a reply that ends within
      // its first turn waits likewise, in store().)
      this.queue(() => untilDatabaseAnswers(() => this.deps.threads.updateMessage(this.id, { content: this.text, status })));
    } else {
      this.store(status);
    }
    this.steps.endOpen(endedAs(status));
    this.writes = this.writes.then(() => this.deps.emit("message:end", { threadId: this.threadId, messageId: this.id, status }));
    await this.writes;
  }

  private schedulePersist(): void {
    if (this.persistTimer !== undefined) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = undefined;
      if (this.closed) return;
      const content = this.text;
      this.queue(() => this.deps.threads.updateMessage(this.id, { content }));
    }, PERSIST_EVERY_MS);
  }
}

const FIRST_RETRY_MS = 100;
const LONGEST_RETRY_MS = 2000;

/**
 * Runs `write`, again and again while it fails because the database cannot be reached
 * (backing off up to 2 s), and fails at once on any other error. Bounded at shutdown: once
 * the database is closed, the error is no longer an outage.
 */
async function untilDatabaseAnswers<T>(write: () => Promise<T>): Promise<T> {
  for (let delay = FIRST_RETRY_MS; ; delay = Math.min(delay * 2, LONGEST_RETRY_MS)) {
    try {
      return await write();
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      await sleep(delay);
    }
  }
}

async function* toAsyncIterable(source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  yield* source;
}
