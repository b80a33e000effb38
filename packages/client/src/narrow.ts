import type { ChatMessage, FileInfo, MessageRole, SignedFileUrl, MessageStatus, ThreadListResponse, ThreadSummary } from "@parlor/protocol";
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
  };
}
