import type { ChatMessage, ChatSettingValues, FeedbackBody, FileInfo, MessageFeedback, RunActionPayload, SendMessagePayload } from "@parlor/protocol";
import { ParlorApiError } from "./api-error.js";
import { toApiError, type AuthStore } from "./auth-store.js";
import { array, feedback, fileInfo, fileList, isObject, messageStatus, nullableString, object, role, settingValues, string, chatMessage } from "./narrow.js";
import { applyExtrasEvent, type ExtrasEvent } from "./message-extras.js";
import type { SocketConnection } from "./socket-connection.js";
import { Store } from "./store.js";

/**
 * A message as the chat shows it. `pending` marks the user's own message until the server has
 * it. `live` marks a reply the server is writing right now, over this connection: only such a
 * reply gets a caret and a Stop button. A reply stored as `streaming` is not live by itself:
 * after a crash the database can keep that status for good (a newer server stores it as
 * `interrupted`), and nothing then would ever end it.
 */
export interface ChatMessageView extends ChatMessage {
  pending?: boolean;
  live?: boolean;
}

/**
 * `sending` until the server has the message; `streaming` while a reply is awaited or live
 * (see `ChatMessageView.live`); `idle` otherwise. A reply that is not live (stopped,
 * interrupted, failed, or `streaming` in the database with nobody writing it) never keeps the
 * chat busy.
 */
export type ChatStatus = "idle" | "sending" | "streaming";

export interface ChatState {
  /** The thread shown; `null` until the first message starts one. */
  threadId: string | null;
  messages: readonly ChatMessageView[];
  status: ChatStatus;
  /** `true` while the thread's messages are being loaded (`thread:resume`). */
  isLoading: boolean;
  error: ParlorApiError | null;
  /**
   * The thread's chat settings, every declared one, as the server stores them. In a new chat
   * (no thread yet): only those changed with `updateSettings`, sent with the first message;
   * the others are the app's defaults (`GET /api/app`).
   */
  settings: ChatSettingValues;
  /** The profile the thread started with; in a new chat, the one `setProfile` chose. */
  profile: string | null;
}

/** What `send` resolves with. */
export interface SentMessage {
  threadId: string;
  messageId: string;
}

type ServerEvent = "message:new" | "message:delta" | "message:update" | "message:end" | "message:file" | "thread:idle" | ExtrasEvent;
type Buffered = readonly [event: ServerEvent, payload: Record<string, unknown>];

/** Events kept while a new thread's id is unknown, or while a resume is in flight. */
const MAX_BUFFERED = 5_000;

/**
 * One chat view: a thread's messages kept live from the socket. It resumes the thread
 * (`thread:resume`) on every (re)connection and whenever the thread changes, so a dropped
 * connection never leaves a reply half-written. A send without a thread starts one, and the
 * store follows it. Socket listeners are attached only while the store is observed.
 *
 * @example
 * const chat = client.createChat(null);
 * const stop = chat.subscribe(() => render(chat.getSnapshot()));
 * const { threadId } = await chat.send("Hello");
 */
export class ChatStore extends Store<ChatState> {
  private detach: Array<() => void> = [];
  private sending = 0;
  private awaitingReply = false;
  /** Replies the server is writing, as seen from live events since this connection began. */
  private readonly liveIds = new Set<string>();
  /** Replies the user stopped: a late event does not make them live again. */
  private readonly stoppedIds = new Set<string>();
  private newThreadSends = 0;
  private newThreadBuffer: Buffered[] = [];
  private resumeBuffer: Buffered[] | null = null;
  /** Messages replaced while a resume was in flight: its snapshot may be older than that. */
  private replacedWhileResuming = new Set<string>();
  private resumeSeq = 0;
  private pendingSeq = 0;
  private threadEpoch = 0;

  constructor(
    private readonly connection: SocketConnection,
    private readonly auth: AuthStore,
    threadId: string | null,
  ) {
    super({ threadId, messages: [], status: "idle", isLoading: threadId !== null, error: null, settings: {}, profile: null });
  }

  /** Shows another thread (or none: `null` starts a new one on the next send). */
  readonly setThreadId = (threadId: string | null): void => {
    if (threadId === this.getSnapshot().threadId) return;
    this.batch(() => {
      this.threadEpoch++;
      this.resumeSeq++;
      this.resumeBuffer = null;
      this.forgetLiveness();
      this.setState({ threadId, messages: [], isLoading: threadId !== null, error: null, settings: {}, profile: null });
      this.updateStatus();
      if (threadId !== null && this.isObserved && this.connection.getSnapshot().state === "connected") void this.resume();
    });
  };

  /**
   * Sends a user message (`message:send`), to the current thread or, without one, to a new
   * thread that the store then shows. Resolves with the ids; rejects with `ParlorApiError`
   * (also put in `error`).
   */
  readonly send = async (content: string, fileIds?: readonly string[]): Promise<SentMessage> => {
    const threadId = this.getSnapshot().threadId;
    const epoch = this.threadEpoch;
    const tempId = `pending-${++this.pendingSeq}`;
    const optimistic: ChatMessageView = {
      id: tempId,
      threadId: threadId ?? "",
      role: "user",
      content,
      status: "complete",
      createdAt: new Date().toISOString(),
      parentId: null,
      files: [],
      steps: [],
      actions: [],
      feedback: null,
      pending: true,
    };
    this.batch(() => {
      this.sending++;
      // Set before the emit: the reply's first events can be handled before the ack's continuation.
      this.awaitingReply = true;
      if (threadId === null) this.newThreadSends++;
      this.setState({ messages: [...this.getSnapshot().messages, optimistic], error: null });
      this.updateStatus();
    });

    const payload: SendMessagePayload = { content };
    if (threadId !== null) payload.threadId = threadId;
    else {
      // A new chat starts with the profile and settings chosen before its first message.
      const { profile, settings } = this.getSnapshot();
      if (profile !== null) payload.profile = profile;
      if (Object.keys(settings).length > 0) payload.settings = { ...settings };
    }
    if (fileIds !== undefined && fileIds.length > 0) payload.fileIds = [...fileIds];
    let sent: SentMessage;
    try {
      const answer = await this.connection.request("message:send", payload);
      sent = { threadId: string(answer.threadId, "threadId"), messageId: string(answer.messageId, "messageId") };
    } catch (error) {
      const apiError = toApiError(error);
      return this.batch(() => {
        this.finishSend(threadId);
        const messages = this.getSnapshot().messages.filter((message) => message.id !== tempId);
        if (epoch === this.threadEpoch) {
          this.awaitingReply = false;
          this.setState({ messages, error: apiError });
        } else {
          this.setState({ messages });
        }
        this.updateStatus();
        throw apiError;
      });
    }
    // The acknowledgement is an incoming event too: its changes reach subscribers as one.
    return this.batch(() => {
      try {
        if (epoch !== this.threadEpoch) {
          // The view moved on (another thread, or a second new thread won): not ours to show.
          this.setState({ messages: this.getSnapshot().messages.filter((message) => message.id !== tempId) });
        } else if (threadId === null) {
          this.threadEpoch++; // the view now follows this thread
          this.setState({ threadId: sent.threadId, isLoading: false });
          this.confirm(tempId, sent);
          const ours = this.newThreadBuffer.filter(([, event]) => event.threadId === sent.threadId);
          for (const [event, payload] of ours) this.trackLiveness(event, payload);
          this.replay(ours);
        } else {
          this.confirm(tempId, sent);
        }
        return sent;
      } finally {
        this.finishSend(threadId);
        this.updateStatus();
      }
    });
  };

  /**
   * Runs an action of a message (`action:run`): the app's `onAction` answers in the thread,
   * or, on a question's button, the question is answered. Resolves when the server accepted
   * it; rejects with `ParlorApiError` (`unknown_action`, `action_used`, `ask_closed`, `busy`),
   * also put in `error`.
   */
  readonly runAction = async (messageId: string, actionId: string): Promise<void> => {
    const epoch = this.threadEpoch;
    this.awaitingReply = true;
    this.updateStatus();
    const payload: RunActionPayload = { messageId, actionId };
    try {
      await this.connection.request("action:run", payload);
    } catch (error) {
      const apiError = toApiError(error);
      this.batch(() => {
        if (epoch === this.threadEpoch) {
          this.awaitingReply = false;
          this.setState({ error: apiError });
        }
        this.updateStatus();
      });
      throw apiError;
    }
  };

  /** A send has its answer (or failed): it no longer counts as in flight. */
  private finishSend(threadId: string | null): void {
    this.sending--;
    if (threadId === null && --this.newThreadSends === 0) this.newThreadBuffer = [];
  }

  /**
   * Stops the reply being written in this thread (`message:stop`); what was written stays.
   * The chat is idle at once, without waiting for the server to confirm (it may be away).
   */
  readonly stop = (): void => {
    const threadId = this.getSnapshot().threadId;
    if (threadId === null) return;
    this.connection.emit("message:stop", { threadId });
    for (const id of this.liveIds) this.stoppedIds.add(id);
    this.liveIds.clear();
    this.awaitingReply = false;
    this.updateStatus();
  };

  /**
   * A new chat only: the profile it starts with (sent with the first message). Once the
   * thread exists its profile is fixed; this throws a `TypeError` then.
   */
  readonly setProfile = (profile: string | null): void => {
    if (this.getSnapshot().threadId !== null) throw new TypeError("setProfile: the profile is chosen before a chat's first message");
    this.setState({ profile });
  };

  /**
   * Changes some chat settings. Shown at once (a switch flips when clicked, not a round trip
   * later). In a thread: `thread:settings`, resolving with every setting as stored; when the
   * server refuses (`ParlorApiError` `invalid_setting`, or the connection fails) the values go
   * back to what they were and nothing changes. In a new chat: kept here and sent with the
   * first message.
   */
  readonly updateSettings = async (changes: ChatSettingValues): Promise<ChatSettingValues> => {
    const { threadId, settings: before } = this.getSnapshot();
    this.setState({ settings: { ...before, ...changes } });
    if (threadId === null) return this.getSnapshot().settings;
    try {
      const answer = await this.connection.request("thread:settings", { threadId, settings: { ...changes } });
      const settings = settingValues(answer.settings, "settings");
      if (this.getSnapshot().threadId === threadId) this.setState({ settings, error: null });
      return settings;
    } catch (error) {
      if (this.getSnapshot().threadId === threadId) this.setState({ settings: before });
      throw this.fail(error, threadId);
    }
  };

  /**
   * Rates a reply: `1` (thumbs up), `-1` (down), `0` (takes it back), with an optional comment
   * (`PUT /api/messages/:id/feedback`). Resolves with the feedback as stored.
   */
  readonly feedback = async (messageId: string, value: 1 | -1 | 0, comment?: string): Promise<MessageFeedback | null> => {
    const threadId = this.getSnapshot().threadId;
    const body: FeedbackBody = comment === undefined || value === 0 ? { value } : { value, comment };
    try {
      const answer = object(await this.auth.api.request("PUT", `/api/messages/${encodeURIComponent(messageId)}/feedback`, { json: body }), "feedback");
      const stored = feedback(answer.feedback);
      this.setState({
        messages: this.getSnapshot().messages.map((message) => (message.id === messageId ? { ...message, feedback: stored } : message)),
        error: null,
      });
      return stored;
    } catch (error) {
      throw this.fail(error, threadId);
    }
  };

  /**
   * Edits the thread's latest user message (`message:edit`): it and the replies after it leave
   * the thread, the new text takes its place and the app answers it. Rejects with `not_latest`
   * for an older message and `busy` while a reply is being written.
   */
  readonly edit = (messageId: string, content: string): Promise<SentMessage> =>
    this.rerun(async (threadId) => {
      const answer = await this.connection.request("message:edit", { threadId, messageId, content });
      return { threadId, messageId: string(answer.messageId, "messageId") };
    });

  /** Writes the thread's latest reply again (`message:regenerate`); the old one leaves the thread. */
  readonly regenerate = (messageId: string): Promise<void> =>
    this.rerun(async (threadId) => {
      await this.connection.request("message:regenerate", { threadId, messageId });
    });

  private async rerun<T>(request: (threadId: string) => Promise<T>): Promise<T> {
    const threadId = this.getSnapshot().threadId;
    if (threadId === null) throw new TypeError("edit and regenerate need a thread");
    this.batch(() => {
      this.sending++;
      this.awaitingReply = true;
      this.setState({ error: null });
      this.updateStatus();
    });
    try {
      return await request(threadId);
    } catch (error) {
      if (this.getSnapshot().threadId === threadId) this.awaitingReply = false;
      throw this.fail(error, threadId);
    } finally {
      this.batch(() => {
        this.sending--;
        this.updateStatus();
      });
    }
  }

  /** A failed request about `threadId`: shown in `error` while the view still shows that thread. */
  private fail(error: unknown, threadId: string | null): ParlorApiError {
    const apiError = toApiError(error);
    if (this.getSnapshot().threadId === threadId) {
      this.setState({ error: apiError });
      this.updateStatus();
    }
    return apiError;
  }

  protected override onFirstSubscribe(): void {
    // Each incoming event (a server event, a (re)connection, a change of connection or
    // session) is handled in one batch: subscribers hear of it once, however many steps it takes.
    const on = (event: ServerEvent) => this.connection.on(event, (payload) => this.batch(() => this.receive(event, payload)));
    this.detach = [
      on("message:new"),
      on("message:delta"),
      on("message:update"),
      on("message:end"),
      on("message:file"),
      on("thread:idle"),
      on("step:start"),
      on("step:delta"),
      on("step:end"),
      on("message:actions"),
      on("message:ask"),
      this.connection.on("message:replaced", (payload) => this.batch(() => this.receiveReplaced(payload))),
      this.connection.on("thread:settings", (payload) => this.batch(() => this.receiveSettings(payload))),
      this.connection.on("error", (payload) => this.batch(() => this.receiveError(payload))),
      this.connection.onConnect(() => void this.resume()),
      this.connection.subscribe(() => this.batch(() => this.forgetLivenessWhenDisconnected())),
      this.auth.subscribe(() => this.batch(() => this.forgetWhenLoggedOut())),
    ];
    if (this.connection.getSnapshot().state === "connected") void this.resume();
  }

  protected override onLastUnsubscribe(): void {
    for (const off of this.detach) off();
    this.detach = [];
    this.resumeSeq++;
    this.resumeBuffer = null;
    // Unobserved, the store hears no events: it could miss a reply's end.
    this.liveIds.clear();
    this.stoppedIds.clear();
    this.updateStatus();
  }

  /** Nothing of a session stays on screen after it ends; the thread id stays for the next login. */
  private forgetWhenLoggedOut(): void {
    if (this.auth.getSnapshot().status !== "unauthenticated" || this.getSnapshot().messages.length === 0) return;
    this.resumeSeq++;
    this.resumeBuffer = null;
    this.forgetLiveness();
    this.setState({ messages: [], error: null, isLoading: this.getSnapshot().threadId !== null });
    this.updateStatus();
  }

  /**
   * Without a connection nothing is live: a Stop button could not reach the server, and the
   * reply may never end (the server restarted). The resume after reconnecting brings the
   * stored state, and a reply still being written becomes live again with its next event.
   */
  private forgetLivenessWhenDisconnected(): void {
    if (this.connection.getSnapshot().state === "connected") return;
    if (this.liveIds.size === 0 && !this.awaitingReply) return;
    this.forgetLiveness();
    this.updateStatus();
  }

  private forgetLiveness(): void {
    this.liveIds.clear();
    this.stoppedIds.clear();
    this.awaitingReply = false;
  }

  /** What a live event says about which replies are being written. */
  private trackLiveness(event: ServerEvent, payload: Record<string, unknown>): void {
    // The app is done with the thread: whatever still says `streaming` is not being written.
    if (event === "thread:idle") return void this.liveIds.clear();
    // Actions and questions change messages that are already written.
    if (event === "message:actions" || event === "message:ask") return;
    const id = payload.messageId;
    if (typeof id !== "string") return;
    if (event === "message:end") return void this.liveIds.delete(id);
    if (this.stoppedIds.has(id) || (event === "message:new" && payload.status !== "streaming")) return;
    this.liveIds.add(id);
  }

  private receive(event: ServerEvent, payload: unknown): void {
    if (!isObject(payload) || typeof payload.threadId !== "string") return;
    const threadId = this.getSnapshot().threadId;
    if (payload.threadId !== threadId) {
      // Maybe the thread our pending send is creating: keep it until the ack names it.
      if (this.newThreadSends > 0 && this.newThreadBuffer.length < MAX_BUFFERED) this.newThreadBuffer.push([event, payload]);
      return;
    }
    this.trackLiveness(event, payload);
    if (event === "thread:idle") return this.settle();
    if (this.resumeBuffer !== null) {
      if (this.resumeBuffer.length < MAX_BUFFERED) this.resumeBuffer.push([event, payload]);
      return;
    }
    this.replay([[event, payload]]);
  }

  /** An edit or a regeneration (here or in another tab) took messages out of the thread. */
  private receiveReplaced(payload: unknown): void {
    if (!isObject(payload) || payload.threadId !== this.getSnapshot().threadId || !Array.isArray(payload.messageIds)) return;
    const gone = new Set(payload.messageIds.filter((id): id is string => typeof id === "string"));
    for (const id of gone) this.liveIds.delete(id);
    if (this.resumeBuffer !== null) for (const id of gone) this.replacedWhileResuming.add(id);
    this.setState({ messages: this.getSnapshot().messages.filter((message) => !gone.has(message.id)) });
    this.updateStatus();
  }

  /** The thread's settings as now stored (changed here or in another tab). */
  private receiveSettings(payload: unknown): void {
    if (!isObject(payload) || payload.threadId !== this.getSnapshot().threadId) return;
    try {
      this.setState({ settings: settingValues(payload.settings, "settings") });
    } catch {
      // Malformed: the next resume brings the stored settings.
    }
  }

  /** The app is done with our thread, replying or not (`thread:idle`): stop showing "answering". */
  private settle(): void {
    this.awaitingReply = false;
    this.updateStatus();
  }

  private receiveError(payload: unknown): void {
    if (!isObject(payload) || payload.threadId === undefined || payload.threadId !== this.getSnapshot().threadId) return;
    // Errors answering our own requests arrive through their acknowledgements; this one has none.
    if (payload.code !== "app_error") return;
    this.awaitingReply = false;
    this.setState({
      error: new ParlorApiError("app_error", typeof payload.message === "string" ? payload.message : "The app failed to answer"),
    });
    this.updateStatus();
  }

  /** Applies live events in order. Malformed events are dropped. */
  private replay(events: readonly Buffered[]): void {
    let messages = [...this.getSnapshot().messages];
    for (const [event, payload] of events) {
      if (event === "thread:idle") {
        this.awaitingReply = false;
        continue;
      }
      try {
        messages = applyEvent(messages, event, payload);
        if (event === "message:new" && payload.role !== "user") this.awaitingReply = false;
      } catch {
        // A malformed event: ignore it rather than break the chat.
      }
    }
    this.setState({ messages });
    this.updateStatus();
  }

  /** The server has the optimistic message: give it its real id (unless `message:new` did already). */
  private confirm(tempId: string, sent: SentMessage): void {
    const messages = this.getSnapshot().messages;
    const known = messages.some((message) => message.id === sent.messageId);
    this.setState({
      messages: known
        ? messages.filter((message) => message.id !== tempId)
        : messages.map((message) => (message.id === tempId ? { ...message, id: sent.messageId, threadId: sent.threadId, pending: false } : message)),
    });
  }

  /** `thread:resume`: replaces the messages with the server's, then applies what arrived meanwhile. */
  private async resume(): Promise<void> {
    const threadId = this.getSnapshot().threadId;
    if (threadId === null) return;
    const seq = ++this.resumeSeq;
    this.resumeBuffer = [];
    this.replacedWhileResuming = new Set();
    this.setState({ isLoading: this.getSnapshot().messages.length === 0 });
    try {
      const answer = await this.connection.request("thread:resume", { threadId });
      if (seq !== this.resumeSeq) return;
      const thread = object(answer.thread, "thread");
      const snapshot = array(thread.messages, "thread.messages").map(chatMessage);
      // Absent from an older server: no settings, no profile.
      const settings = thread.settings === undefined ? {} : settingValues(thread.settings, "thread.settings");
      const profile = nullableString(thread.profile, "thread.profile");
      const buffered = this.resumeBuffer ?? [];
      this.resumeBuffer = null;
      const pending = this.getSnapshot().messages.filter((message) => message.pending === true);
      const replaced = this.replacedWhileResuming;
      const resumed = mergeResumed(snapshot, buffered).filter((message) => !replaced.has(message.id));
      this.batch(() => {
        this.setState({ messages: [...resumed, ...pending], isLoading: false, error: null, settings, profile });
        this.updateStatus();
      });
    } catch (error) {
      if (seq !== this.resumeSeq) return;
      const buffered = this.resumeBuffer ?? [];
      this.resumeBuffer = null;
      this.batch(() => {
        this.setState({ isLoading: false, error: toApiError(error) });
        this.replay(buffered);
      });
    }
  }

  /** Marks the live replies (`live`) and derives the chat's status from them. */
  private updateStatus(): void {
    const current = this.getSnapshot().messages;
    let changed = false;
    const messages = current.map((message): ChatMessageView => {
      const live = message.status === "streaming" && this.liveIds.has(message.id);
      if ((message.live === true) === live) return message;
      changed = true;
      if (live) return { ...message, live };
      const { live: _dropped, ...rest } = message;
      return rest;
    });
    const streaming = this.awaitingReply || messages.some((message) => message.live === true);
    this.setState({ ...(changed ? { messages } : {}), status: this.sending > 0 ? "sending" : streaming ? "streaming" : "idle" });
  }
}

function newMessage(payload: Record<string, unknown>): ChatMessageView {
  return {
    id: string(payload.messageId, "messageId"),
    threadId: string(payload.threadId, "threadId"),
    role: role(payload.role),
    content: string(payload.content, "content"),
    status: messageStatus(payload.status),
    createdAt: new Date().toISOString(),
    parentId: null,
    files: fileList(payload.files),
    steps: [],
    actions: [],
    feedback: null,
  };
}

function withFile(files: FileInfo[], file: FileInfo): FileInfo[] {
  return files.some((known) => known.id === file.id) ? files : [...files, file];
}

/** One live event applied to a message list (a new list when something changed). */
function applyEvent(messages: ChatMessageView[], event: ServerEvent, payload: Record<string, unknown>): ChatMessageView[] {
  const id = string(payload.messageId, "messageId");
  const index = messages.findIndex((message) => message.id === id);
  if (event === "message:new") {
    if (index !== -1) {
      // Our confirmed optimistic message: the server's copy knows its attachments.
      const files = fileList(payload.files);
      if (files.length === 0 || messages[index]!.files.length > 0) return messages;
      return messages.map((m, i) => (i === index ? { ...m, files } : m));
    }
    const message = newMessage(payload);
    // Our own optimistic message coming back from the server: adopt its id in place.
    if (message.role === "user") {
      const mine = messages.findIndex((m) => m.pending === true && m.content === message.content);
      if (mine !== -1) return messages.map((m, i) => (i === mine ? { ...message, createdAt: m.createdAt } : m));
    }
    return [...messages, message];
  }
  if (index === -1) return messages; // unknown message: the next resume brings it
  const message = messages[index]!;
  let next: ChatMessageView;
  switch (event) {
    case "message:delta":
      next = { ...message, content: applyDelta(message.content, string(payload.delta, "delta"), payload.offset) };
      break;
    case "message:update":
      next = { ...message, content: string(payload.content, "content") };
      break;
    case "message:end":
      next = { ...message, status: messageStatus(payload.status) };
      break;
    case "message:file":
      next = { ...message, files: withFile(message.files ?? [], fileInfo(payload.file)) };
      break;
    case "thread:idle":
      return messages;
    default:
      next = applyExtrasEvent(message, event, payload, applyDelta);
  }
  return messages.map((m, i) => (i === index ? next : m));
}

/**
 * The server's snapshot plus the events that arrived while it was taken. Every delta names
 * its `offset` in the message, so a delta the snapshot already contains is skipped and one
 * that reaches past it is applied from where the snapshot ends.
 */
export function mergeResumed(snapshot: readonly ChatMessage[], buffered: readonly Buffered[]): ChatMessageView[] {
  let messages: ChatMessageView[] = snapshot.map((message) => ({ ...message }));
  for (const [event, payload] of buffered) {
    try {
      messages = applyEvent(messages, event, payload);
    } catch {
      // Malformed: skip.
    }
  }
  return messages;
}

/**
 * Appends the part of a delta that lies past `text`. Without an offset (an older server)
 * the delta is appended as is.
 */
export function applyDelta(text: string, delta: string, offset: unknown): string {
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) return text + delta;
  if (offset + delta.length <= text.length) return text; // already in the text
  if (offset > text.length) return text + delta; // a gap: keep what arrived; the next resume repairs it
  return text + delta.slice(text.length - offset);
}
