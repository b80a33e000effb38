import type { Readable } from "node:stream";
import type { ChatProfile, ChatSettingValues, FileInfo, JsonValue, MessageAction, StepType } from "@parlor/protocol";
import { z } from "zod";
import { ParlorConfigError } from "../errors.js";
import type { EmbedOptions } from "../config/embeds.js";
import type { ServerOptions } from "../config/server-options.js";
import type { AppAuth } from "../auth/login-callbacks.js";
import { oauthProviderTypes } from "../config/oauth-presets.js";
import { appUiSchema, type AppUiOptions } from "./app-ui.js";
import { chatProfilesSchema } from "./chat-profiles.js";
import { chatSettingsSchema, type ChatSettingDefinition } from "./chat-settings.js";
import type { FeedbackEvent } from "./feedback-event.js";

/** A file the user attached to a message. Its type was sniffed from the bytes. */
export interface MessageFile {
  id: string;
  name: string;
  mime: string;
  size: number;
  /** The bytes as a stream: for large files. */
  stream(): Promise<Readable>;
  /** The whole file in memory: for small ones. */
  read(): Promise<Buffer>;
}

/** A message the user sent, as the app sees it. */
export interface IncomingMessage {
  id: string;
  threadId: string;
  content: string;
  createdAt: Date;
  files: MessageFile[];
}

/** A file an app sends back with a reply (an image it made, a report). */
export interface ReplyAttachment {
  name: string;
  data: Uint8Array | string | AsyncIterable<Uint8Array>;
}

/** An assistant message being written: stream it piece by piece, or set it whole. */
export interface Reply {
  readonly id: string;
  /** Appends text and sends it to the user's open clients at once. */
  stream(text: string): Promise<void>;
  /** Replaces the whole content. */
  update(text: string): Promise<void>;
  /** Stores a file with the message and shows it to the user (images inline). */
  attach(file: ReplyAttachment): Promise<FileInfo>;
  /**
   * Adds buttons under the message. A click runs the app's `onAction` with the action, its
   * `payload` included; the client only ever sees `{ id, name, label }`. With `once`, an
   * action is marked used when it runs and cannot run again. Resolves with the actions as
   * clients see them. Call it before `end()`.
   */
  actions(actions: ActionDefinition[], options?: ActionOptions): Promise<MessageAction[]>;
  /** Finishes the message: persisted, then announced with `message:end`. Idempotent. */
  end(): Promise<void>;
}

/** A button under a message (`reply.actions`, or a choice of `chat.ask({ type: "action" })`). */
export interface ActionDefinition {
  /** What the app matches on in `onAction`: 1–64 characters. */
  name: string;
  /** The button's text: 1–100 characters. */
  label: string;
  /** For the app only: stored on the server, handed back to `onAction`, never sent to a client. At most 16 KiB of JSON. */
  payload?: JsonValue;
}

export interface ActionOptions {
  /** The action runs once; then it shows as used. */
  once?: boolean;
}

/** An action the user clicked, as the app receives it. */
export interface ChosenAction {
  id: string;
  /** The message the action is under. */
  messageId: string;
  name: string;
  label: string;
  /** What the app gave `reply.actions`; `null` when it gave none. */
  payload: JsonValue;
}

/** The action `onAction` runs. */
export interface RunningAction extends ChosenAction {
  /** Marks the action used: its button is disabled, and it cannot run again. */
  markUsed(): Promise<void>;
}

/** Options of `chat.step`. */
export interface StepOptions {
  /** Shown to the user ("Used search"): 1–100 characters. */
  name: string;
  /** `tool` by default. */
  type?: StepType;
  /** What the step works on (a query, a tool's arguments); JSON values are stored as JSON text. */
  input?: string | JsonValue;
}

/** A step in progress (`chat.step`'s callback). */
export interface Step {
  readonly id: string;
  /** Appends text to the step's output and shows it live. */
  stream(text: string): Promise<void>;
}

interface AskBase {
  /** The question, shown as a message of the thread (Markdown). */
  content: string;
  /** Milliseconds to wait; 300 000 (5 min) by default, at most 3 600 000 (1 h). Then the answer is `null`. */
  timeout?: number;
}

/** `chat.ask` for text: the user's next message answers it. */
export interface AskText extends AskBase {
  type: "text";
}

/** `chat.ask` for files: the user answers with uploads. */
export interface AskFile extends AskBase {
  type: "file";
  /** Accepted types, sniffed from the bytes: `image/png`, `image/*`. Any type when left out. */
  accept?: string[];
}

/** `chat.ask` for a choice: the user clicks one of the buttons. */
export interface AskAction extends AskBase {
  type: "action";
  actions: ActionDefinition[];
}

export type AskOptions = AskText | AskFile | AskAction;

/** Options of `chat.callClient`. */
export interface ClientCallOptions {
  /** Milliseconds to wait for the answer; default 30 000 (30 s), at most 300 000 (5 min). */
  timeout?: number;
}

/** The conversation an app callback is working in. */
export interface Chat {
  readonly user: { id: string; identifier: string; displayName: string | null };
  readonly thread: { id: string; name: string };
  /** The thread's chat settings (`defineApp({ settings })`): every declared id, changed by the user or default. */
  readonly settings: Readonly<ChatSettingValues>;
  /** The id of the profile the chat started with (`defineApp({ profiles })`), or `null`. */
  readonly profile: string | null;
  /** Aborted when the user presses stop (or the server shuts down): stop generating. */
  readonly signal: AbortSignal;
  /** Starts an assistant message. Call `end()` when done (it is ended for you otherwise). */
  reply(): Reply;
  /** Sends a whole assistant message at once. */
  send(text: string): Promise<void>;
  /** The thread's earlier messages, oldest first: context for a model. */
  history(): Promise<Array<{ role: "user" | "assistant" | "system"; content: string }>>;
  /**
   * Runs a function the host page registered (`Parlor.registerFunction`) in the widget client
   * that sent the message, and returns its JSON result. Rejects with `ClientCallError`
   * (`not_widget`, `unknown_function`, `function_failed`, `timeout`, `too_large`, `not_json`,
   * `not_connected`). `timeout` in milliseconds: 30 s by default, at most 5 min.
   */
  callClient(name: string, args?: JsonValue, options?: ClientCallOptions): Promise<JsonValue>;
  /**
   * Runs `callback` as a step of the reply (a tool call, a retrieval, a thought) that the user
   * sees live and that is stored with the message. Its output is what it streamed, or the
   * string it returns. Steps nest: a step started inside another has it as parent. A step
   * that throws ends as `error` and the error goes on. The steps belong to the run's open
   * reply, or to a new one that the next `chat.reply()` (or `chat.send`) continues.
   *
   * @example
   * const hits = await chat.step({ name: "search", type: "retrieval", input: query }, async (step) => {
   *   const found = await search(query);
   *   await step.stream(`${found.length} results`);
   *   return found;
   * });
   */
  step<T>(options: StepOptions, callback: (step: Step) => Promise<T> | T): Promise<T>;
  /**
   * Asks the user and waits for the answer: the question is a message of the thread. A text
   * question resolves with the user's next message, a file question with their uploads, an
   * action question with the button they clicked; `null` when the time runs out or the user
   * stops the reply.
   *
   * @example
   * const name = await chat.ask({ type: "text", content: "What is your name?", timeout: 60_000 });
   */
  ask(options: AskText): Promise<string | null>;
  ask(options: AskFile): Promise<MessageFile[] | null>;
  ask(options: AskAction): Promise<ChosenAction | null>;
}

export interface AppDefinition {
  /** Shown in the UI; also part of the session cookie's name. */
  name: string;
  auth: AppAuth;
  /** Server settings the app ships with; environment variables override them. */
  server?: ServerOptions;
  /**
   * Sites that embed the chat with `widget.js`, by embedding id (server README, "Embedding"):
   * `{ shop: { secret, origins: ["https://shop.example"], cookie: "partitioned" } }` (`cookie`
   * optional, `"none"` by default). `PARLOR_EMBED_<ID>_SECRET`, `PARLOR_EMBED_<ID>_ORIGINS` and
   * `PARLOR_EMBED_<ID>_COOKIE` override them; checked when the server is created.
   */
  embeds?: Record<string, EmbedOptions>;
  /**
   * How the web UI presents the app (server README, "The app's face"): `{ name, logo,
   * accentColor }`, e.g. `{ logo: fileURLToPath(new URL("./logo.svg", import.meta.url)),
   * accentColor: "#0f766e" }`, how a reply's steps show (`steps`), and the welcome text and
   * starter prompts of an empty chat (`welcome`, `starters`: "Welcome and starters"). Checked when the app
   * is defined; a local logo file is read when the server is created.
   */
  ui?: AppUiOptions;
  /** Per-thread settings the user changes in the chat's settings panel, read as `chat.settings`. */
  settings?: ChatSettingDefinition[];
  /** Profiles a user picks when a chat starts, read as `chat.profile`. */
  profiles?: ChatProfile[];
  /** Called when a user rates a reply, after it is stored. Errors it throws are logged. */
  onFeedback?: (event: FeedbackEvent) => Promise<void> | void;
  /** Called when a user changes a thread's settings, after they are stored, with all of them. */
  onSettingsUpdate?: (settings: Readonly<ChatSettingValues>, chat: Chat) => Promise<void> | void;
  /** Called when a user starts a new thread, before its first `onMessage`. */
  onChatStart?: (chat: Chat) => Promise<void> | void;
  /** Called for every user message. Errors it throws are logged and shown to that user only. */
  onMessage: (message: IncomingMessage, chat: Chat) => Promise<void> | void;
  /**
   * Called when the user clicks one of the buttons the app put under a message
   * (`reply.actions`), in that message's thread, like `onMessage` (one at a time per thread).
   */
  onAction?: (action: RunningAction, chat: Chat) => Promise<void> | void;
  /** Called when the client that chatted in a thread disconnects. */
  onChatEnd?: (chat: Chat) => Promise<void> | void;
}

/** An app after validation: frozen, safe to share. */
export type ParlorApp = Readonly<AppDefinition> & { readonly __parlorApp: true };

const callback = z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", "must be a function");

const appShape = z.object({
  name: z.string().trim().min(1, "name must not be empty").max(100),
  auth: z.object({
    password: callback.optional(),
    header: callback.optional(),
    embed: callback.optional(),
    oauth: z
      .object({
        providers: z
          .array(
            z
              .object({
                type: z.enum(oauthProviderTypes as [string, ...string[]]),
                id: z.string().optional(),
                name: z.string().optional(),
                clientId: z.string().optional(),
                clientSecret: z.string().optional(),
                issuer: z.string().optional(),
                tenant: z.string().optional(),
                scopes: z.array(z.string()).optional(),
              })
              .strict(),
          )
          .optional(),
        callback: callback.optional(),
        storeTokens: z.boolean().optional(),
      })
      .strict()
      .optional(),
  }),
  server: z.record(z.string(), z.unknown()).optional(),
  embeds: z
    .record(z.string(), z.object({ secret: z.string(), origins: z.array(z.string()), cookie: z.enum(["none", "partitioned"]).optional() }).strict())
    .optional(),
  ui: appUiSchema.optional(),
  settings: chatSettingsSchema.optional(),
  profiles: chatProfilesSchema.optional(),
  onFeedback: callback.optional(),
  onSettingsUpdate: callback.optional(),
  onChatStart: callback.optional(),
  onMessage: callback,
  onAction: callback.optional(),
  onChatEnd: callback.optional(),
});

/**
 * Declares a Parlor app. Checks the definition at once so a mistake fails at start-up with
 * a clear message, not on the first request.
 *
 * @example
 * export default defineApp({
 *   name: "Echo",
 *   auth: { password: async ({ username, password }) => (password === "s3cret" ? { identifier: username } : null) },
 *   async onMessage(message, chat) {
 *     const reply = chat.reply();
 *     for (const word of message.content.split(" ")) await reply.stream(word + " ");
 *     await reply.end();
 *   },
 * });
 */
export function defineApp(definition: AppDefinition): ParlorApp {
  const result = appShape.safeParse(definition);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ParlorConfigError(`defineApp: ${issue?.path.join(".") || "app"}: ${issue?.message}`);
  }
  if (!definition.auth.password && !definition.auth.header && !definition.auth.oauth) {
    throw new ParlorConfigError("defineApp: auth needs at least one login method (auth.password, auth.header or auth.oauth); Parlor has no anonymous mode");
  }
  return Object.freeze({ ...definition, __parlorApp: true as const });
}

export function isParlorApp(value: unknown): value is ParlorApp {
  return typeof value === "object" && value !== null && (value as ParlorApp).__parlorApp === true;
}
