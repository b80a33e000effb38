import type { Readable } from "node:stream";
import type { ChatProfile, ChatSettingValues, FileInfo, JsonValue } from "@parlor/protocol";
import { z } from "zod";
import { ParlorConfigError } from "../errors.js";
import type { EmbedOptions } from "../config/embeds.js";
import type { ServerOptions } from "../config/server-options.js";
import type { AppAuth } from "../auth/login-callbacks.js";
import { oauthProviderTypes } from "../config/oauth-presets.js";
import { appUiSchema, type AppUi } from "./app-ui.js";
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
  /** Finishes the message: persisted, then announced with `message:end`. Idempotent. */
  end(): Promise<void>;
}

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
  /** What the web UI shows around the chat: a welcome text and starter prompts (server README, "Welcome and starters"). */
  ui?: AppUi;
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
