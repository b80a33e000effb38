import type { FileInfo, MessageStatus, ServerToClientEvents } from "@parlor/protocol";
import type { Reply, ReplyAttachment } from "../app/define-app.js";
import type { ThreadStore } from "../data/thread-store.js";
import { toFileInfo, type FileService } from "../files/file-service.js";

/** Sends a server event to every client of the reply's user. */
/** Broadcasts to a user's sockets; `client:call` is not one: it goes to one socket and waits for its answer. */
export type EmitToUser = <E extends Exclude<keyof ServerToClientEvents, "client:call">>(event: E, ...args: Parameters<ServerToClientEvents[E]>) => void;

export interface LiveReplyDeps {
  threads: ThreadStore;
  files: FileService;
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
 * async), its row is inserted in the background and every later call waits for that, so
 * clients always see `message:new` before the first delta. Writes to the database are
 * chained, so they land in order; `end()` persists before announcing `message:end`.
 */
export class LiveReply implements Reply {
  private text = "";
  private closed = false;
  private writes: Promise<unknown>;
  private persistTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    readonly threadId: string,
    private readonly deps: LiveReplyDeps,
    initialContent = "",
  ) {
    this.text = initialContent;
    this.writes = deps.threads
      .insertMessage({
        id,
        thread_id: threadId,
        role: "assistant",
        content: initialContent,
        status: "streaming",
        created_at: deps.clock(),
        parent_id: null,
        owner_id: deps.ownerId,
      })
      .then(() => deps.emit("message:new", { threadId, messageId: id, role: "assistant", content: initialContent, status: "streaming", files: [] }));
  }

  /** What has been written so far, ahead of the database. */
  get content(): string {
    return this.text;
  }

  get isOpen(): boolean {
    return !this.closed;
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
    const file = toFileInfo(row);
    this.deps.emit("message:file", { threadId: this.threadId, messageId: this.id, file });
    return file;
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

  private async finish(status: MessageStatus): Promise<void> {
    if (this.closed) return this.writes.then(() => undefined);
    this.closed = true;
    clearTimeout(this.persistTimer);
    this.writes = this.writes
      .catch(() => undefined)
      .then(async () => {
        await this.deps.threads.updateMessage(this.id, { content: this.text, status });
        await this.deps.threads.touchThread(this.threadId, this.deps.clock());
        this.deps.emit("message:end", { threadId: this.threadId, messageId: this.id, status });
      });
    await this.writes;
  }

  private schedulePersist(): void {
    if (this.persistTimer !== undefined) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = undefined;
      if (this.closed) return;
      const content = this.text;
      this.writes = this.writes.then(() => this.deps.threads.updateMessage(this.id, { content }));
    }, PERSIST_EVERY_MS);
  }
}

async function* toAsyncIterable(source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  yield* source;
}
