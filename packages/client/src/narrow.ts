import type {
  AppInfo,
  ChatMessage,
  ChatSetting,
  ChatSettingValues,
  FileInfo,
  MessageFeedback,
  MessageRole,
  SignedFileUrl,
  MessageStatus,
  ThreadListResponse,
  ThreadSummary,
} from "@parlor/protocol";
import { ParlorApiError } from "./api-error.js";
import { messageExtras } from "./message-extras.js";

/**
 * Everything from the network is `unknown` until it passes through here. The checks are
 * small on purpose (no schema library in a browser bundle): each reads only the fields the
 * client uses, and a mismatch is a `ParlorApiError` with code `invalid_response`.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(what: string): ParlorApiError {
  return new ParlorApiError("invalid_response", `Unexpected response from the server (${what})`);
}

export function object(value: unknown, what: string): JsonObject {
  if (!isObject(value)) throw invalid(what);
  return value;
}

export function string(value: unknown, what: string): string {
  if (typeof value !== "string") throw invalid(what);
  return value;
}

export function nullableString(value: unknown, what: string): string | null {
  return value === null || value === undefined ? null : string(value, what);
}

export function number(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalid(what);
  return value;
}

export function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw invalid(what);
  return value;
}

/** One of a fixed set of strings (a union type on the wire). */
export function oneOf<T extends string>(allowed: readonly T[], value: unknown, what: string): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) throw invalid(what);
  return value as T;
}

const ROLES: ReadonlySet<string> = new Set<MessageRole>(["user", "assistant", "system"]);
const STATUSES: ReadonlySet<string> = new Set<MessageStatus>(["complete", "streaming", "error", "stopped", "interrupted"]);

export function role(value: unknown): MessageRole {
  if (typeof value !== "string" || !ROLES.has(value)) throw invalid("message role");
  return value as MessageRole;
}

export function messageStatus(value: unknown): MessageStatus {
  if (typeof value !== "string" || !STATUSES.has(value)) throw invalid("message status");
  return value as MessageStatus;
}

export function fileInfo(value: unknown): FileInfo {
  const file = object(value, "file");
  return {
    id: string(file.id, "file.id"),
    name: string(file.name, "file.name"),
    mime: string(file.mime, "file.mime"),
    size: number(file.size, "file.size"),
    url: string(file.url, "file.url"),
  };
}

/** `GET /api/files/:id/signed-url`. */
export function signedFileUrl(value: unknown): SignedFileUrl {
  const body = object(value, "signed-url");
  return { url: string(body.url, "url"), expiresAt: string(body.expiresAt, "expiresAt") };
}

/** `files` is optional on the wire: older servers send messages without it. */
export function fileList(value: unknown): FileInfo[] {
  return value === undefined ? [] : array(value, "files").map(fileInfo);
}

export function threadSummary(value: unknown): ThreadSummary {
  const thread = object(value, "thread");
  return {
    id: string(thread.id, "thread.id"),
    name: string(thread.name, "thread.name"),
    createdAt: string(thread.createdAt, "thread.createdAt"),
    updatedAt: string(thread.updatedAt, "thread.updatedAt"),
  };
}

/** `GET /api/threads`: one page. */
export function threadListResponse(value: unknown): ThreadListResponse {
  const body = object(value, "threads");
  return { threads: array(body.threads, "threads").map(threadSummary), nextCursor: nullableString(body.nextCursor, "nextCursor") };
}

export function chatMessage(value: unknown): ChatMessage {
  const message = object(value, "message");
  return {
    id: string(message.id, "message.id"),
    threadId: string(message.threadId, "message.threadId"),
    role: role(message.role),
    content: string(message.content, "message.content"),
    status: messageStatus(message.status),
    createdAt: string(message.createdAt, "message.createdAt"),
    parentId: nullableString(message.parentId, "message.parentId"),
    files: fileList(message.files),
    ...messageExtras(message),
    feedback: feedback(message.feedback),
  };
}

/** A message's feedback; absent (an older server) or `null` means none. */
export function feedback(value: unknown): MessageFeedback | null {
  if (value === undefined || value === null) return null;
  const body = object(value, "feedback");
  const rating = body.value === 1 || body.value === -1 ? body.value : null;
  if (rating === null) throw invalid("feedback.value");
  return body.comment === undefined || body.comment === null ? { value: rating } : { value: rating, comment: string(body.comment, "feedback.comment") };
}

/** A thread's settings: strings, numbers and booleans by id. */
export function settingValues(value: unknown, what: string): ChatSettingValues {
  const values: ChatSettingValues = {};
  for (const [id, setting] of Object.entries(object(value, what))) {
    if (typeof setting !== "string" && typeof setting !== "boolean" && !(typeof setting === "number" && Number.isFinite(setting)))
      throw invalid(`${what}.${id}`);
    values[id] = setting;
  }
  return values;
}

/**
 * `GET /api/app`. The settings' fields are checked by type; their detail (options, bounds)
 * is the server's, which validated them at start-up.
 */
export function appInfo(value: unknown): AppInfo {
  const body = object(value, "app");
  return {
    welcome: nullableString(body.welcome, "welcome"),
    starters: array(body.starters, "starters").map((entry) => {
      const starter = object(entry, "starter");
      return { label: string(starter.label, "starter.label"), message: string(starter.message, "starter.message") };
    }),
    settings: array(body.settings, "settings").map((entry) => {
      const setting = object(entry, "setting");
      string(setting.id, "setting.id");
      string(setting.label, "setting.label");
      oneOf(["select", "slider", "switch", "text"], setting.type, "setting.type");
      return setting as unknown as ChatSetting;
    }),
    profiles: array(body.profiles, "profiles").map((entry) => {
      const profile = object(entry, "profile");
      return {
        id: string(profile.id, "profile.id"),
        name: string(profile.name, "profile.name"),
        description: string(profile.description ?? "", "profile.description"),
      };
    }),
  };
}
