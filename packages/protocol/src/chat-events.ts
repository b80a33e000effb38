/**
 * The socket.io events between a Parlor server and its clients. Both sides type their
 * sockets with these maps, so a renamed field fails to compile on both.
 */

import type { MessageAction, RunActionPayload } from "./actions.js";
import type { MessageAsk } from "./asks.js";
import type { ChatSettingValues } from "./app-info.js";
import type { EmbedError, EmbedFunctionErrorCode, JsonValue } from "./embed-messages.js";
import type { ChatErrorCode } from "./error-codes.js";
import type { FileInfo } from "./files.js";
import type { MessageStep, StepStatus } from "./steps.js";
import type { MessageRole, MessageStatus, ThreadWithMessages } from "./threads.js";

export interface ChatError {
  code: ChatErrorCode;
  message: string;
  threadId?: string;
}

/** Every acknowledgement is either a result or an error, never a throw. */
export type Ack<T> = (result: ({ ok: true } & T) | { ok: false; error: ChatError }) => void;

export interface SendMessagePayload {
  /** Omit to start a new thread. */
  threadId?: string;
  content: string;
  /** Ids of the user's uploads (`POST /api/files`) to attach to the message. */
  fileIds?: string[];
  /** A new thread only: the profile it starts with (an id of `GET /api/app`'s `profiles`). */
  profile?: string;
  /** A new thread only: settings chosen before the first message, checked like `thread:settings`. */
  settings?: ChatSettingValues;
}

/** `message:edit`: the user's latest message, sent again with new text. */
export interface EditMessagePayload {
  threadId: string;
  /** The latest user message of the thread; any other answers `not_latest`. */
  messageId: string;
  content: string;
}

/** `message:regenerate`: the latest reply, written again. */
export interface RegeneratePayload {
  threadId: string;
  /** The thread's latest message, a reply (not the user's); any other answers `not_latest`. */
  messageId: string;
}

/** `thread:settings`: changes some of a thread's settings; the others keep their values. */
export interface ThreadSettingsPayload {
  threadId: string;
  settings: ChatSettingValues;
}

export interface ClientToServerEvents {
  /** Sends a user message; a missing `threadId` starts a new thread. */
  "message:send": (payload: SendMessagePayload, ack?: Ack<{ threadId: string; messageId: string }>) => void;
  /** Asks for a thread's messages, the partial one being streamed included. */
  "thread:resume": (payload: { threadId: string }, ack?: Ack<{ thread: ThreadWithMessages }>) => void;
  /** Stops the replies being written in a thread (in all of the user's threads if none is named). */
  "message:stop": (payload?: { threadId?: string }) => void;
  /**
   * Runs an action of one of the user's messages (the app's `onAction`), or answers an action
   * question with it. Refused with `unknown_action` (no such action, or not the user's),
   * `action_used`, `ask_closed` or `busy`.
   */
  "action:run": (payload: RunActionPayload, ack?: Ack<{ threadId: string }>) => void;
  /**
   * Replaces the thread's latest user message (and the replies after it) with a new one and
   * runs the app again; the ack names the new message.
   */
  "message:edit": (payload: EditMessagePayload, ack?: Ack<{ threadId: string; messageId: string }>) => void;
  /** Replaces the thread's latest reply and runs the app again on the user message before it. */
  "message:regenerate": (payload: RegeneratePayload, ack?: Ack<{ threadId: string }>) => void;
  /** Changes the thread's settings; refused whole with `invalid_setting` when one is wrong. */
  "thread:settings": (payload: ThreadSettingsPayload, ack?: Ack<{ settings: ChatSettingValues }>) => void;
}

/**
 * `client:call`: the app asks the widget client that sent the message to run a function the
 * host page registered (`chat.callClient` on the server, `Parlor.registerFunction` on the
 * host). `args` and `result` are JSON of at most `EMBED_MAX_JSON_BYTES`.
 */
export interface ClientCall {
  name: string;
  args: JsonValue;
}

/** The widget's answer to a `client:call`, through the acknowledgement. */
export type ClientCallAnswer = { ok: true; result: JsonValue } | { ok: false; error: EmbedError<EmbedFunctionErrorCode> };

export interface ServerToClientEvents {
  "thread:created": (event: { threadId: string; name: string }) => void;
  "message:new": (event: { threadId: string; messageId: string; role: MessageRole; content: string; status: MessageStatus; files: FileInfo[] }) => void;
  /**
   * Text appended to a reply. `offset` is the length (UTF-16 code units) of the content
   * before it: a client holding a resumed snapshot applies only what lies past its text.
   */
  "message:delta": (event: { threadId: string; messageId: string; delta: string; offset: number }) => void;
  /** A file the app attached to a reply. */
  "message:file": (event: { threadId: string; messageId: string; file: FileInfo }) => void;
  /** A reply's final content replaced with `update()`, sent whole. */
  "message:update": (event: { threadId: string; messageId: string; content: string }) => void;
  /** A message is final, and stored. For a reply whose process died, another process sends it (`interrupted`). */
  "message:end": (event: { threadId: string; messageId: string; status: MessageStatus }) => void;
  /** A step started in a reply (`chat.step`). */
  "step:start": (event: { threadId: string; messageId: string; step: MessageStep }) => void;
  /** Text a step streamed; `offset` as in `message:delta`, in the step's output. */
  "step:delta": (event: { threadId: string; messageId: string; stepId: string; delta: string; offset: number }) => void;
  /** A step ended, with its whole output. `endedAt` is ISO 8601. */
  "step:end": (event: { threadId: string; messageId: string; stepId: string; output: string; status: StepStatus; endedAt: string }) => void;
  /** The message's actions, sent whole: when the app adds some, and when one is used. */
  "message:actions": (event: { threadId: string; messageId: string; actions: MessageAction[] }) => void;
  /** The message is a question (`chat.ask`), or its question was answered, expired or cancelled. */
  "message:ask": (event: { threadId: string; messageId: string; ask: MessageAsk }) => void;
  /**
   * The app is done with the thread's last message (`onMessage` returned or failed), whether
   * or not it replied: a client stops showing "answering".
   */
  "thread:idle": (event: { threadId: string }) => void;
  /**
   * An edit or a regeneration replaced these messages: they stay stored but leave the visible
   * thread. The new message follows with `message:new`.
   */
  "message:replaced": (event: { threadId: string; messageIds: string[] }) => void;
  /** The thread's settings changed (from this tab or another): all of them, as now stored. */
  "thread:settings": (event: { threadId: string; settings: ChatSettingValues }) => void;
  error: (event: ChatError) => void;
  /** Sent to widget sockets only (session client `widget`); answer through `ack`. */
  "client:call": (call: ClientCall, ack: (answer: ClientCallAnswer) => void) => void;
}

/** What a client sends in the socket.io handshake (`io(url, { auth })`). */
export interface HandshakeAuth {
  /** The CSRF token from login or `/auth/me`; required when the session comes from the cookie. */
  csrfToken?: string;
  /**
   * A session token for contexts without cookies (the widget); needs no CSRF token. The
   * server screens the handshake's HTTP request before it reads `auth`: send the same token
   * there as `Authorization: Bearer <token>` (socket.io's `extraHeaders`), or, from a browser,
   * which cannot set that header on a WebSocket, add the query parameter `bearer=1`
   * (socket.io's `query` option). Never put the token itself in the URL.
   */
  token?: string;
}
