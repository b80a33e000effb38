import type { Ack, ChatError, MessageStep, ThreadWithMessages } from "@parlor/protocol";
import type { FastifyBaseLogger } from "fastify";
import { z } from "zod";
import type { Chat, ChosenAction, IncomingMessage, MessageFile, ParlorApp } from "../app/define-app.js";
import { ChatSettings } from "../app/chat-settings.js";
import type { SessionPrincipal } from "../auth/session-service.js";
import type { ParlorConfig } from "../config/resolve-config.js";
import { isDatabaseUnavailable } from "../data/database-unavailable.js";
import type { MessageExtraStores } from "../data/message-extras.js";
import { sortableId } from "../data/sortable-id.js";
import type { MessageRow, ThreadRow, ThreadStore } from "../data/thread-store.js";
import { idSchema, isStorableText, storableTextMessage } from "../http/input-schemas.js";
import type { FileRow } from "../data/file-store.js";
import type { FileService } from "../files/file-service.js";
import { insufficientStorage, isStorageFull } from "../files/storage-full.js";
import { toMessageAction } from "../threads/extras-json.js";
import { toThreadSummary } from "../threads/thread-json.js";
import { loadThreadMessages } from "../threads/thread-messages.js";
import { answerWithAction, answerWithMessage, askUser } from "./ask-user.js";
import { ChatFailure } from "./chat-failure.js";
import { callClient, type ClientCaller } from "./client-call.js";
import { PendingAsks } from "./pending-asks.js";
import { runStep } from "./run-step.js";
import { stepScope } from "./step-context.js";
import { planEdit, planRegenerate, type Replacement } from "./replace-latest.js";
import { LiveReply, type CutStatus, type EmitToUser } from "./live-reply.js";
import type { NodeCounts, SharedLimits } from "../limits/shared-limits.js";
import { RunRegistry, type Run } from "./run-registry.js";
import { ThreadReleases } from "./thread-releases.js";
import { threadNameFrom } from "./thread-name.js";

export interface ChatRuntimeDeps {
  app: ParlorApp;
  config: ParlorConfig;
  threads: ThreadStore;
  files: FileService;
  /** Steps, actions and questions of messages. */
  extras: MessageExtraStores;
  clock: () => number;
  /** Where the user's running replies are counted over every node (limits/shared-limits.ts). */
  limits: SharedLimits;
  log: FastifyBaseLogger;
  /** Emits to every connected client of one user. */
  emitToUser: (userId: string) => EmitToUser;
  /** This process's id: the owner of the replies it writes (see process-lease.ts). */
  processId: string;
  /**
   * With several nodes: the replies another node is streaming in a thread, with their text so
   * far (cluster/live-replies-across-nodes.ts). Without it, or when no node answers in time, a
   * resume shows the stored partial text (written every 250 ms, live-reply.ts).
   */
  liveRepliesElsewhere?: (threadId: string) => Promise<LiveReplySnapshot[]>;
  /**
   * With several nodes: asks the others to stop the user's runs (cluster/stops-across-nodes.ts);
   * false when they cannot be reached.
   */
  stopElsewhere?: (userId: string, threadId: string | undefined) => boolean;
}

/** A reply being streamed, as a resume shows it. */
export interface LiveReplySnapshot {
  id: string;
  content: string;
  /** ISO 8601. */
  createdAt: string;
  /** Its steps so far, with the text they streamed. */
  steps: MessageStep[];
}

/** The connection a chat event came from: who, and how to answer only that client. */
export interface ChatConnection {
  principal: SessionPrincipal;
  /** Sends an `error` event to this connection only. */
  sendError(error: ChatError): void;
  /** Threads this connection chatted in, for `onChatEnd`. */
  threadsUsed: Set<string>;
  /** Runs the host page's functions; only on widget connections (`chat.callClient`). */
  callClient?: ClientCaller;
}

/** Attachments per message: enough for any chat, small enough to check in one query. */
const MAX_FILES_PER_MESSAGE = 10;

const sendSchema = z.object({
  threadId: idSchema.optional(),
  content: z.string().refine(isStorableText, storableTextMessage),
  fileIds: z.array(idSchema).max(MAX_FILES_PER_MESSAGE).optional(),
  profile: idSchema.optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
});
const editSchema = z.object({ threadId: idSchema, messageId: idSchema, content: z.string().refine(isStorableText, storableTextMessage) });
const regenerateSchema = z.object({ threadId: idSchema, messageId: idSchema });
const settingsSchema = z.object({ threadId: idSchema, settings: z.record(z.string(), z.unknown()) });
const resumeSchema = z.object({ threadId: idSchema });
const stopSchema = z.object({ threadId: idSchema.optional() }).optional();
const runActionSchema = z.object({ messageId: idSchema, actionId: idSchema });

/** After the grace period, how long the last writes of interrupted replies may take. */
const INTERRUPT_WRITE_TIMEOUT_MS = 3000;

/**
 * Turns socket events into persisted messages and app callbacks. Knows nothing of
 * socket.io: the realtime layer hands it a connection and an emitter.
 */
export class ChatRuntime {
  private readonly runs: RunRegistry;
  private readonly runsAcrossNodes: NodeCounts;
  /** The runs that hold one of their user's slots over every node, to give back once. */
  private readonly slotsAcrossNodes = new WeakSet<Run>();
  private readonly releases: ThreadReleases;
  /** Questions (`chat.ask`) waiting for their answer in this process. */
  private readonly asks = new PendingAsks();
  private readonly settings: ChatSettings;
  private readonly profiles: ReadonlySet<string>;
  private accepting = true;

  constructor(private readonly deps: ChatRuntimeDeps) {
    this.settings = new ChatSettings(deps.app.settings);
    this.profiles = new Set((deps.app.profiles ?? []).map((profile) => profile.id));
    this.runs = new RunRegistry(deps.config.chat.maxRunsPerUser);
    this.runsAcrossNodes = deps.limits.counts("runs-user");
    this.releases = new ThreadReleases(deps.threads, deps.processId, deps.clock, (error) => deps.log.error({ err: error }, "could not release a thread"));
  }

  /** `message:send`: stores the user message (in a new thread if none is named) and runs the app. */
  async send(connection: ChatConnection, payload: unknown, ack: unknown): Promise<void> {
    await this.answer(connection, ack, async () => {
      const { threadId, content, fileIds = [], ...start } = this.parse(sendSchema, payload);
      const userId = connection.principal.userId;
      if (content.trim() === "" && fileIds.length === 0) throw new ChatFailure("invalid_request", "content must not be empty");
      this.checkLength(content, threadId);
      // A question waits in the thread: this message answers it instead of starting a reply.
      const asked = threadId === undefined ? undefined : this.asks.inThread(threadId);
      if (asked !== undefined && asked.userId === userId && asked.type !== "action") {
        const { threads, files, clock } = this.deps;
        const emit = this.deps.emitToUser(userId);
        connection.threadsUsed.add(asked.threadId);
        return answerWithMessage({ threads, files, clock, emit, pending: this.asks, messageFile: (row) => this.messageFile(row) }, asked, content, fileIds);
      }
      const newThread = this.checkThreadStart(threadId, start);

      // The user's run slot is taken before the first await, so N messages sent in one tick
      // count N runs; it is given back if the message is refused further down.
      const run = this.claimRun(userId, threadId);
      let thread: ThreadRow | null = null;
      try {
        await this.claimRunAcrossNodes(run, threadId);
        if (threadId !== undefined) thread = await this.claimExistingThread(userId, threadId, run);
        if (fileIds.length > 0 && !(await this.deps.files.checkAttachable(userId, fileIds, thread?.id ?? null))) {
          throw new ChatFailure("not_found", "Unknown or already attached file", threadId);
        }
        const isNew = thread === null;
        const emit = this.deps.emitToUser(userId);
        if (thread === null) {
          thread = await this.deps.threads.createThread(userId, threadNameFrom(content), this.deps.clock(), { runOwner: this.deps.processId, ...newThread });
          this.claimThread(thread.id, run);
          emit("thread:created", { threadId: thread.id, name: thread.name });
        }
        const message = await this.deps.threads.insertMessage({
          thread_id: thread.id,
          role: "user",
          content,
          status: "complete",
          created_at: this.deps.clock(),
          parent_id: null,
        });
        const attached = await this.deps.files.attach(userId, fileIds, thread.id, message.id);
        emit("message:new", {
          threadId: thread.id,
          messageId: message.id,
          role: "user",
          content,
          status: "complete",
          files: attached.map(this.deps.files.info),
        });
        connection.threadsUsed.add(thread.id);
        // The app runs after the acknowledgement: the sender learns the ids at once.
        this.startApp(connection, thread, isNew, run, message, attached);
        return { threadId: thread.id, messageId: message.id };
      } catch (error) {
        this.release(run);
        throw error;
      }
    });
  }

  /**
   * `message:edit`: the thread's latest user message gets new text. It and the replies after
   * it are replaced (kept, with `replaced_at`, out of the visible thread), a new user message
   * takes its place with its files, and the app answers it as a new message.
   */
  async edit(connection: ChatConnection, payload: unknown, ack: unknown): Promise<void> {
    await this.answer(connection, ack, async () => {
      const { threadId, messageId, content } = this.parse(editSchema, payload);
      if (content.trim() === "") throw new ChatFailure("invalid_request", "content must not be empty", threadId);
      this.checkLength(content, threadId);
      return this.rerun(connection, threadId, async (thread, messages) => {
        const { replaced } = this.accept(planEdit(messages, messageId), threadId, "Only your latest message can be edited");
        const message: MessageRow = {
          id: sortableId(),
          thread_id: thread.id,
          role: "user",
          content,
          status: "complete",
          created_at: this.deps.clock(),
          parent_id: null,
          owner_id: null,
          feedback_value: null,
          feedback_comment: null,
          replaced_at: null,
        };
        await this.deps.threads.replaceMessages(thread.id, replaced, this.deps.clock(), { message, moveFilesFrom: messageId });
        return { replaced, question: message, announce: true };
      });
    });
  }

  /**
   * `message:regenerate`: the thread's latest reply (with any other message after the last user
   * message) is replaced, and the app answers that user message again.
   */
  async regenerate(connection: ChatConnection, payload: unknown, ack: unknown): Promise<void> {
    await this.answer(connection, ack, async () => {
      const { threadId, messageId } = this.parse(regenerateSchema, payload);
      const { threadId: regenerated } = await this.rerun(connection, threadId, async (thread, messages) => {
        const { replaced, question } = this.accept(planRegenerate(messages, messageId), threadId, "Only the latest reply can be regenerated");
        await this.deps.threads.replaceMessages(thread.id, replaced, this.deps.clock());
        return { replaced, question, announce: false };
      });
      return { threadId: regenerated };
    });
  }

  /**
   * `thread:settings`: changes some of the thread's chat settings. Checked against the app's
   * declared settings first: an unknown id or a value that does not fit refuses the whole
   * change with `invalid_setting`, and nothing is stored. Then every tab of the user hears
   * the new values (`thread:settings`), and the app's `onSettingsUpdate` gets them.
   */
  async updateSettings(connection: ChatConnection, payload: unknown, ack: unknown): Promise<void> {
    await this.answer(connection, ack, async () => {
      const { threadId, settings: changes } = this.parse(settingsSchema, payload);
      const userId = connection.principal.userId;
      const thread = await this.deps.threads.findThread(userId, threadId);
      if (thread === null) throw new ChatFailure("not_found", "No such thread", threadId);
      const checked = this.settings.check(changes);
      if (!checked.ok) throw new ChatFailure("invalid_setting", checked.message, threadId);
      const stored = this.settings.merge(thread.settings, checked.values);
      await this.deps.threads.updateSettings(thread.id, stored);
      const settings = this.settings.resolve(stored);
      this.deps.emitToUser(userId)("thread:settings", { threadId: thread.id, settings });
      const onSettingsUpdate = this.deps.app.onSettingsUpdate;
      if (onSettingsUpdate) {
        const updated = { ...thread, settings: stored };
        setImmediate(() => void this.detachedCallback(connection, updated, "onSettingsUpdate", (chat) => onSettingsUpdate(chat.settings, chat)));
      }
      return { settings };
    });
  }

  /** `thread:resume`: the thread with every finished message and the partial one being written. */
  async resume(connection: ChatConnection, payload: unknown, ack: unknown): Promise<void> {
    await this.answer(connection, ack, async () => {
      const { threadId } = this.parse(resumeSchema, payload);
      const thread = await this.deps.threads.findThread(connection.principal.userId, threadId);
      if (thread === null) throw new ChatFailure("not_found", "No such thread", threadId);
      const { threads, files, extras, clock } = this.deps;
      const stored = await loadThreadMessages({ threads, files, extras, clock }, threadId);
      // Taken after the read, so the snapshot is never older than a delta sent before it.
      let replies = this.liveReplies(threadId);
      // Not running here but streaming according to the database: maybe on another node.
      const elsewhere = this.deps.liveRepliesElsewhere;
      if (replies.length === 0 && elsewhere !== undefined && stored.some((message) => message.status === "streaming")) {
        replies = await elsewhere(threadId);
      }
      const live = new Map(replies.map((reply) => [reply.id, reply]));
      const messages = stored.map((message) => {
        const reply = live.get(message.id);
        return reply === undefined ? message : { ...message, content: reply.content, steps: reply.steps };
      });
      // A reply in its first turn (or whose one INSERT is on its way) has no row yet
      // (live-reply.ts): it is the newest message, and its `message:end` follows.
      const storedIds = new Set(stored.map((message) => message.id));
      for (const reply of replies) {
        if (storedIds.has(reply.id)) continue;
        messages.push({
          id: reply.id,
          threadId,
          role: "assistant",
          content: reply.content,
          status: "streaming",
          createdAt: reply.createdAt,
          parentId: null,
          files: [],
          steps: reply.steps,
          actions: [],
          feedback: null,
        });
      }
      connection.threadsUsed.add(threadId);
      const settings = this.settings.resolve(thread.settings);
      return { thread: { ...toThreadSummary(thread), messages, settings, profile: thread.profile } satisfies ThreadWithMessages };
    });
  }

  /** The replies this process is streaming in the thread, with their text so far. */
  liveReplies(threadId: string): LiveReplySnapshot[] {
    return [...(this.runs.inThread(threadId)?.replies ?? [])].map((reply) => ({
      id: reply.id,
      content: reply.content,
      createdAt: reply.createdAt,
      steps: reply.steps.snapshot(),
    }));
  }

  /**
   * `action:run`: one of the user's actions. On a question's button it answers the question;
   * otherwise the app's `onAction` runs in the message's thread, as a run like `onMessage`
   * (so a busy thread refuses it). Another user's action answers like an unknown one.
   */
  async runAction(connection: ChatConnection, payload: unknown, ack: unknown): Promise<void> {
    await this.answer(connection, ack, async () => {
      const { messageId, actionId } = this.parse(runActionSchema, payload);
      const userId = connection.principal.userId;
      const onAction = this.deps.app.onAction;
      const found = await this.deps.extras.actions.findForUser(userId, messageId, actionId);
      if (found === null) throw new ChatFailure("unknown_action", "No such action");
      const { action, threadId, askStatus } = found;
      const chosen: ChosenAction = {
        id: action.id,
        messageId,
        name: action.name,
        label: action.label,
        payload: JSON.parse(action.payload) as ChosenAction["payload"],
      };
      if (askStatus !== null) {
        const asked = this.asks.forMessage(messageId);
        if (asked === undefined || asked.userId !== userId) throw new ChatFailure("ask_closed", "The question was already answered or has expired", threadId);
        await answerWithAction(this.asks, asked, chosen);
        return { threadId };
      }
      if (onAction === undefined) throw new ChatFailure("unknown_action", "No such action");
      if (action.used_at !== null) throw new ChatFailure("action_used", "This action was used already", threadId);

      const run = this.claimRun(userId, threadId);
      try {
        await this.claimRunAcrossNodes(run, threadId);
        await this.releases.beforeClaim(threadId);
        const thread = await this.deps.threads.claimThread(userId, threadId, this.deps.processId, this.deps.clock());
        if (thread === null) throw new ChatFailure("busy", "Wait for the reply to finish, or stop it", threadId);
        this.claimThread(thread.id, run);
        const markUsed = async () => {
          const first = await this.deps.extras.actions.claim(action.id, this.deps.clock());
          if (first) await this.announceActions(userId, threadId, messageId);
          return first;
        };
        // A `once` action is used by the run that marks it: of two clicks, one runs.
        if (action.once === 1 && !(await markUsed())) throw new ChatFailure("action_used", "This action was used already", threadId);
        connection.threadsUsed.add(threadId);
        const running = { ...chosen, markUsed: async () => void (await markUsed()) };
        setImmediate(() => void this.run(connection, thread, run, (chat) => onAction(running, chat)));
        return { threadId };
      } catch (error) {
        this.release(run);
        throw error;
      }
    });
  }

  /** Sends a message's actions, whole, after one was used. */
  private async announceActions(userId: string, threadId: string, messageId: string): Promise<void> {
    const actions = (await this.deps.extras.actions.listForMessage(messageId)).map(toMessageAction);
    this.deps.emitToUser(userId)("message:actions", { threadId, messageId, actions });
  }

  /**
   * `message:stop`: aborts the user's run in the thread (or all their runs), keeping what was
   * written, on this node and, with several, on the others.
   */
  stop(connection: ChatConnection, payload: unknown): void {
    const parsed = stopSchema.safeParse(payload);
    if (!parsed.success) return connection.sendError({ code: "invalid_request", message: "threadId must be a string" });
    const threadId = parsed.data?.threadId;
    const userId = connection.principal.userId;
    // A thread has one run over every node: found here, there is none elsewhere to stop.
    if (this.stopRuns(userId, threadId) > 0 && threadId !== undefined) return;
    const elsewhere = this.deps.stopElsewhere;
    if (elsewhere === undefined || elsewhere(userId, threadId)) return;
    connection.sendError({
      code: "unavailable",
      message: "Could not reach the other servers to stop the reply; try again shortly",
      ...(threadId === undefined ? {} : { threadId }),
    });
  }

  /** Stops the user's runs on this node (in `threadId` only, when given); how many. */
  stopRuns(userId: string, threadId?: string): number {
    const runs = this.runs.ofUser(userId, threadId);
    for (const run of runs) void this.cut(run, "stopped");
    return runs.length;
  }

  /** Called when a connection closes: `onChatEnd` for each thread it used. */
  async disconnected(connection: ChatConnection): Promise<void> {
    const onChatEnd = this.deps.app.onChatEnd;
    if (!onChatEnd) return;
    try {
      for (const threadId of connection.threadsUsed) {
        const thread = await this.deps.threads.findThread(connection.principal.userId, threadId);
        if (thread === null) continue;
        const detached = RunRegistry.detached(thread.user_id);
        const chat = this.chatFor(connection, thread, detached);
        await this.callApp("onChatEnd", () => onChatEnd(chat));
        // A run's replies stamp their thread when the run releases it; these have no run.
        if (detached.replies.size > 0) await this.deps.threads.touchThread(thread.id, this.deps.clock());
      }
    } catch (error) {
      // Sockets also close while the server shuts down, when the database may be gone.
      this.deps.log.warn({ err: error }, "onChatEnd skipped");
    }
  }

  /** Shutdown has started: `message:send` is refused with `unavailable`; running replies go on. */
  stopTakingMessages(): void {
    this.accepting = false;
  }

  /**
   * Shutdown: refuses new messages (`unavailable`) at once, lets running replies finish until
   * `deadline` (ms since the epoch, real time), then aborts the rest and stores their replies
   * `interrupted` with the text written so far. Resolves when those writes are done (or after a
   * short bound if the database hangs); an app that ignores `chat.signal` is not waited for.
   */
  async drain(deadline: number): Promise<void> {
    this.stopTakingMessages();
    const everyRun = Promise.all(this.runs.all().map((run) => run.done));
    await withTimeout(everyRun, deadline - Date.now());
    const cuts = this.runs.all().map((run) => this.cut(run, "interrupted"));
    await withTimeout(Promise.all(cuts), INTERRUPT_WRITE_TIMEOUT_MS);
    // The runs that ended gave their threads back in memory; the database side follows.
    await withTimeout(this.releases.settled(), INTERRUPT_WRITE_TIMEOUT_MS);
  }

  /** Ends a run early: aborts `chat.signal` and ends its open replies with `status`. */
  private async cut(run: Run, status: CutStatus): Promise<void> {
    run.cutShort ??= status;
    run.abort();
    await Promise.all(
      [...run.replies].map((reply) =>
        reply.cut(run.cutShort!).catch((error: unknown) => this.deps.log.error({ err: error }, "could not store a reply cut short")),
      ),
    );
  }

  /**
   * Takes one of the user's run slots, or refuses: the server is shutting down, or the user
   * has `chat.maxRunsPerUser` replies running. Synchronous, so concurrent sends are counted.
   */
  private claimRun(userId: string, threadId: string | undefined): Run {
    if (!this.accepting) throw new ChatFailure("unavailable", "The server is restarting; send the message again in a moment", threadId);
    const run = this.runs.claim(userId);
    if (run === null) {
      const max = this.deps.config.chat.maxRunsPerUser;
      throw new ChatFailure("rate_limited", `At most ${max} replies can run at once; wait for one to finish`, threadId);
    }
    return run;
  }

  /**
   * With several nodes, the user's runs on the other nodes count too: a slot in Redis, taken
   * atomically against theirs (one round trip, after this node's own synchronous count passed).
   */
  private async claimRunAcrossNodes(run: Run, threadId: string | undefined): Promise<void> {
    const max = this.deps.config.chat.maxRunsPerUser;
    if (!(await this.runsAcrossNodes.add(run.userId, max))) {
      throw new ChatFailure("rate_limited", `At most ${max} replies can run at once; wait for one to finish`, threadId);
    }
    this.slotsAcrossNodes.add(run);
  }

  /**
   * Ends the run's claims: the run's slot and thread in this process, and (grouped with
   * others, a turn later: thread-releases.ts) the thread in the database, where only a run
   * holding the thread in this process releases it, stamping its `updated_at` (the reply's
   * activity).
   */
  private release(run: Run): void {
    if (run.threadId !== null) this.releases.release(run.threadId);
    if (this.slotsAcrossNodes.delete(run)) this.runsAcrossNodes.remove(run.userId);
    run.release();
  }

  /** Makes `run` the thread's one running reply, or refuses with `busy`. Synchronous on purpose. */
  private claimThread(threadId: string, run: Run): void {
    if (!this.runs.claimThread(threadId, run)) throw new ChatFailure("busy", "Wait for the reply to finish, or stop it", threadId);
  }

  /**
   * Claims the user's existing thread for `run`: first in the database (another process may
   * be answering in it), then in this process with no await in between, so two messages to one
   * thread in the same tick cannot both pass. The claim also stamps the thread's `updated_at`
   * (one statement, not two).
   */
  private async claimExistingThread(userId: string, threadId: string, run: Run): Promise<ThreadRow> {
    await this.releases.beforeClaim(threadId);
    const thread = await this.deps.threads.claimThread(userId, threadId, this.deps.processId, this.deps.clock());
    if (thread === null) {
      if ((await this.deps.threads.findThread(userId, threadId)) === null) throw new ChatFailure("not_found", "No such thread", threadId);
      throw new ChatFailure("busy", "Wait for the reply to finish, or stop it", threadId);
    }
    this.claimThread(thread.id, run);
    return thread;
  }

  /**
   * Edit and regenerate: claims the thread like a new message would (refused while a reply is
   * running: `busy`), lets `replace` check the visible messages and replace some, tells every
   * tab (`message:replaced`, then `message:new` for an edit's new message) and runs the app on
   * the user message `replace` names.
   */
  private async rerun(
    connection: ChatConnection,
    threadId: string,
    replace: (thread: ThreadRow, messages: MessageRow[]) => Promise<{ replaced: string[]; question: MessageRow; announce: boolean }>,
  ): Promise<{ threadId: string; messageId: string }> {
    const userId = connection.principal.userId;
    const run = this.claimRun(userId, threadId);
    try {
      await this.claimRunAcrossNodes(run, threadId);
      const thread = await this.claimExistingThread(userId, threadId, run);
      const { replaced, question, announce } = await replace(thread, await this.deps.threads.listMessages(thread.id));
      const files = await this.deps.files.listForMessages([question.id]);
      const emit = this.deps.emitToUser(userId);
      if (replaced.length > 0) emit("message:replaced", { threadId: thread.id, messageIds: replaced });
      if (announce) {
        const { id, role, content, status } = question;
        emit("message:new", { threadId: thread.id, messageId: id, role, content, status, files: files.map(this.deps.files.info) });
      }
      connection.threadsUsed.add(thread.id);
      this.startApp(connection, thread, false, run, question, files);
      return { threadId: thread.id, messageId: question.id };
    } catch (error) {
      this.release(run);
      throw error;
    }
  }

  /** The planned replacement, or its refusal as a `ChatFailure` (`notLatest` is the message for `not_latest`). */
  private accept(plan: Replacement, threadId: string, notLatest: string): Extract<Replacement, { ok: true }> {
    if (plan.ok) return plan;
    throw new ChatFailure(plan.code, plan.code === "not_found" ? "No such message" : notLatest, threadId);
  }

  private checkLength(content: string, threadId: string | undefined): void {
    if (Buffer.byteLength(content) > this.deps.config.chat.maxMessageBytes) {
      throw new ChatFailure("message_too_large", `Messages are limited to ${this.deps.config.chat.maxMessageBytes} bytes`, threadId);
    }
  }

  /**
   * A new thread's profile and first settings, checked against the app's declarations
   * (`invalid_setting` otherwise); an existing thread takes neither.
   */
  private checkThreadStart(threadId: string | undefined, start: { profile?: string | undefined; settings?: Record<string, unknown> | undefined }) {
    if (start.profile === undefined && start.settings === undefined) return {};
    if (threadId !== undefined) throw new ChatFailure("invalid_request", "profile and settings are for a new thread; use thread:settings", threadId);
    if (start.profile !== undefined && !this.profiles.has(start.profile)) throw new ChatFailure("invalid_setting", `Unknown profile "${start.profile}"`);
    let settings: string | null = null;
    if (start.settings !== undefined) {
      const checked = this.settings.check(start.settings);
      if (!checked.ok) throw new ChatFailure("invalid_setting", checked.message);
      settings = this.settings.merge(null, checked.values);
    }
    return { profile: start.profile ?? null, settings };
  }

  /** Runs the app on a stored user message, after the current turn (the acknowledgement goes first). */
  private startApp(connection: ChatConnection, thread: ThreadRow, isNew: boolean, run: Run, message: MessageRow, files: FileRow[]): void {
    const incoming: IncomingMessage = {
      id: message.id,
      threadId: thread.id,
      content: message.content,
      createdAt: new Date(message.created_at),
      files: files.map((file) => this.messageFile(file)),
    };
    const { onChatStart, onMessage } = this.deps.app;
    setImmediate(
      () =>
        void this.run(connection, thread, run, async (chat) => {
          if (isNew && onChatStart) await onChatStart(chat);
          await onMessage(incoming, chat);
        }),
    );
  }

  /** An app callback outside a run (`onChatEnd`, `onSettingsUpdate`): its errors are logged. */
  private async detachedCallback(connection: ChatConnection, thread: ThreadRow, name: string, callback: (chat: Chat) => unknown): Promise<void> {
    try {
      const detached = RunRegistry.detached(thread.user_id);
      const chat = this.chatFor(connection, thread, detached);
      await this.callApp(name, () => callback(chat));
      // A run's replies stamp their thread when the run releases it; these have no run.
      if (detached.replies.size > 0) await this.deps.threads.touchThread(thread.id, this.deps.clock());
    } catch (error) {
      this.deps.log.warn({ err: error }, `${name} skipped`);
    }
  }

  /** Runs one of the app's callbacks (`onMessage`, `onAction`) as the thread's run, then ends its replies. */
  private async run(connection: ChatConnection, thread: ThreadRow, run: Run, body: (chat: Chat) => Promise<void> | void) {
    const chat = this.chatFor(connection, thread, run);
    try {
      await body(chat);
      for (const reply of run.replies) await reply.end();
    } catch (error) {
      // An app that throws because its signal fired (a stop, a shutdown) did not fail. Its
      // replies are being stored as cut short: wait for that, so message:end comes before idle.
      if (run.cutShort !== null) {
        await Promise.all([...run.replies].map((reply) => reply.end().catch(() => undefined)));
        return;
      }
      this.deps.log.error({ err: error, threadId: thread.id }, "the app failed to answer");
      await this.reportAppError(connection, thread.id, run).catch((reportError: unknown) =>
        this.deps.log.error({ err: reportError }, "could not report an app error"),
      );
    } finally {
      this.release(run);
      this.deps.emitToUser(thread.user_id)("thread:idle", { threadId: thread.id });
    }
  }

  /** The app failed: its open replies end as errors, and the user sees an error message. */
  private async reportAppError(connection: ChatConnection, threadId: string, run: Run) {
    for (const reply of run.replies) await reply.fail();
    const emit = this.deps.emitToUser(run.userId);
    const message = await this.deps.threads.insertMessage({
      thread_id: threadId,
      role: "system",
      content: "Sorry, something went wrong while answering. Please try again.",
      status: "error",
      created_at: this.deps.clock(),
      parent_id: null,
    });
    emit("message:new", { threadId, messageId: message.id, role: "system", content: message.content, status: "error", files: [] });
    emit("message:end", { threadId, messageId: message.id, status: "error" });
    connection.sendError({ code: "app_error", message: "The app failed to answer", threadId });
  }

  private chatFor(connection: ChatConnection, thread: ThreadRow, run: Run): Chat {
    const { principal } = connection;
    const { threads, files, extras, clock } = this.deps;
    const emit = this.deps.emitToUser(thread.user_id);
    const hasOnAction = this.deps.app.onAction !== undefined;
    const openReply = (initial?: string) => {
      const deps = { threads, files, extras, hasOnAction, userId: thread.user_id, emit, clock, ownerId: this.deps.processId, cutShort: () => run.cutShort };
      const reply = new LiveReply(sortableId(), thread.id, deps, initial);
      run.replies.add(reply);
      return reply;
    };
    // A reply opened for steps when none was open; the app's next reply() continues it, so the
    // steps show with the answer they led to.
    let forSteps: LiveReply | null = null;
    const takeStepsReply = (): LiveReply | null => {
      const reply = forSteps;
      forSteps = null;
      return reply?.isOpen === true ? reply : null;
    };
    const replyForStep = (): LiveReply => {
      const inStep = stepScope.getStore();
      if (inStep?.reply.isOpen === true && run.replies.has(inStep.reply)) return inStep.reply;
      const open = [...run.replies].filter((reply) => reply.isOpen).at(-1);
      return open ?? (forSteps = openReply());
    };
    const ask = (options: unknown) =>
      askUser(
        {
          threadId: thread.id,
          userId: thread.user_id,
          threads,
          extras,
          pending: this.asks,
          emit,
          clock,
          signal: run.signal,
          log: (error) => this.deps.log.error({ err: error }, "could not close a question"),
        },
        options,
      );
    return {
      user: { id: principal.userId, identifier: principal.identifier, displayName: principal.displayName },
      thread: { id: thread.id, name: thread.name },
      settings: Object.freeze(this.settings.resolve(thread.settings)),
      profile: thread.profile,
      get signal() {
        return run.signal;
      },
      reply: () => takeStepsReply() ?? openReply(),
      send: async (text) => {
        if (typeof text !== "string") throw new TypeError("chat.send() takes a string");
        const withSteps = takeStepsReply();
        if (withSteps === null) return openReply(text).end();
        await withSteps.update(text);
        await withSteps.end();
      },
      history: async () => (await threads.listMessages(thread.id)).map((row) => ({ role: row.role, content: row.content })),
      callClient: (name, args, options) => callClient(connection.callClient, name, args, options),
      step: (options, callback) => {
        const reply = replyForStep();
        const parent = stepScope.getStore();
        return runStep(reply, parent?.reply === reply ? parent.stepId : null, options, callback);
      },
      ask: ask as Chat["ask"],
    };
  }

  private messageFile(row: FileRow): MessageFile {
    const { files } = this.deps;
    return {
      id: row.id,
      name: row.name,
      mime: row.mime,
      size: row.size,
      stream: () => files.open(row),
      read: async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of await files.open(row)) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      },
    };
  }

  private async callApp(name: string, callback: () => unknown): Promise<void> {
    try {
      await callback();
    } catch (error) {
      this.deps.log.error({ err: error }, `the app's ${name} failed`);
    }
  }

  private parse<T extends z.ZodType>(schema: T, payload: unknown): z.output<T> {
    const result = schema.safeParse(payload);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    throw new ChatFailure("invalid_request", `${issue?.path.join(".") || "payload"}: ${issue?.message ?? "invalid"}`);
  }

  /**
   * Runs a handler and answers through the acknowledgement (when the client asked for one)
   * and, on failure, with an `error` event. Unexpected errors are logged, never leaked.
   */
  private async answer<T extends object>(connection: ChatConnection, ack: unknown, handler: () => Promise<T>): Promise<void> {
    const reply = typeof ack === "function" ? (ack as Ack<T>) : undefined;
    try {
      const result = await handler();
      reply?.({ ok: true, ...result });
    } catch (error) {
      let failure: ChatError;
      if (error instanceof ChatFailure) {
        failure = { code: error.code, message: error.message, ...(error.threadId ? { threadId: error.threadId } : {}) };
      } else if (isStorageFull(error)) {
        // The same codes as over HTTP (507, 503): the client can tell "wait" from "broken".
        this.deps.log.error({ err: error }, "storage full");
        failure = { code: "insufficient_storage", message: insufficientStorage(error).message };
      } else if (isDatabaseUnavailable(error)) {
        failure = { code: "unavailable", message: "Temporarily unavailable. Try again shortly." };
      } else {
        this.deps.log.error({ err: error }, "chat event failed");
        failure = { code: "internal", message: "The request could not be handled" };
      }
      connection.sendError(failure);
      reply?.({ ok: false, error: failure });
    }
  }
}

/** Waits for `promise`, at most `ms` milliseconds; never rejects. */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))));
  await Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    timeout,
  ]);
  clearTimeout(timer);
}
