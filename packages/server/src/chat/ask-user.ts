import type { EmitToUser } from "./live-reply.js";
import { z } from "zod";
import type { ChosenAction, MessageFile } from "../app/define-app.js";
import type { MessageExtraStores } from "../data/message-extras.js";
import { sortableId } from "../data/sortable-id.js";
import type { ThreadStore } from "../data/thread-store.js";
import type { FileRow } from "../data/file-store.js";
import type { FileService } from "../files/file-service.js";
import { isStorableText, storableTextMessage } from "../http/input-schemas.js";
import { toMessageAction, toMessageAsk } from "../threads/extras-json.js";
import { actionRows } from "./action-rows.js";
import { ChatFailure } from "./chat-failure.js";
import { isAccepted, type PendingAsk, type PendingAsks } from "./pending-asks.js";

/** How long a question waits when the app does not say. */
export const DEFAULT_ASK_TIMEOUT_MS = 5 * 60_000;
/** The run holds its thread while it waits: an hour at most. */
export const MAX_ASK_TIMEOUT_MS = 60 * 60_000;

const base = {
  content: z.string().max(100_000).refine(isStorableText, storableTextMessage),
  timeout: z.number().int().min(1).max(MAX_ASK_TIMEOUT_MS).optional(),
};
const mimePattern = z.string().regex(/^[\w.+-]+\/(\*|[\w.+-]+)$/, "must be a type such as image/png or image/*");
const askSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), ...base }).strict(),
  z.object({ type: z.literal("file"), accept: z.array(mimePattern).max(20).optional(), ...base }).strict(),
  // The actions are checked by actionRows.
  z.object({ type: z.literal("action"), actions: z.array(z.unknown()), ...base }).strict(),
]);

export interface AskDeps {
  threadId: string;
  userId: string;
  threads: ThreadStore;
  extras: MessageExtraStores;
  pending: PendingAsks;
  emit: EmitToUser;
  clock: () => number;
  /** The run's signal: a stop cancels the question. */
  signal: AbortSignal;
  log: (error: unknown) => void;
}

/**
 * `chat.ask`: stores the question as a message of the thread (with its actions for an action
 * question), announces it, and waits for `answerWithMessage` / `answerWithAction`, the
 * timeout, or a stop. Resolves with the answer, or `null`.
 */
export async function askUser(deps: AskDeps, options: unknown): Promise<unknown> {
  const parsed = askSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(`chat.ask: ${issue?.path.join(".") || "options"}: ${issue?.message ?? "invalid"}`);
  }
  const ask = parsed.data;
  if (deps.pending.inThread(deps.threadId) !== undefined) throw new Error("chat.ask: this thread already has a question waiting");
  if (deps.signal.aborted) return null;
  const now = deps.clock();
  const timeout = ask.timeout ?? DEFAULT_ASK_TIMEOUT_MS;
  const messageId = sortableId();
  const actions = ask.type === "action" ? actionRows(messageId, ask.actions as never, { once: true }) : [];
  const row = {
    message_id: messageId,
    type: ask.type,
    accept: JSON.stringify(ask.type === "file" ? (ask.accept ?? []) : []),
    expires_at: now + timeout,
    status: "pending" as const,
  };
  await deps.threads.insertMessage({
    id: messageId,
    thread_id: deps.threadId,
    role: "assistant",
    content: ask.content,
    status: "complete",
    created_at: now,
    parent_id: null,
  });
  await deps.extras.asks.insert(row);
  await deps.extras.actions.insert(actions);
  const { threadId, emit } = deps;
  emit("message:new", { threadId, messageId, role: "assistant", content: ask.content, status: "complete", files: [] });
  emit("message:ask", { threadId, messageId, ask: toMessageAsk(row, now) });
  if (actions.length > 0) emit("message:actions", { threadId, messageId, actions: actions.map(toMessageAction) });

  return new Promise((resolve) => {
    const pending: PendingAsk = {
      messageId,
      threadId,
      userId: deps.userId,
      type: ask.type,
      accept: JSON.parse(row.accept) as string[],
      async finish(status, answer) {
        try {
          await deps.extras.asks.close(messageId, status);
          const ended = { ...row, status };
          if (actions.length > 0) {
            // A choice is made once: every button of the question is used now.
            await deps.extras.actions.markUsed(
              actions.map((action) => action.id),
              deps.clock(),
            );
            emit("message:actions", { threadId, messageId, actions: actions.map((action) => ({ ...toMessageAction(action), used: true as const })) });
          }
          emit("message:ask", { threadId, messageId, ask: toMessageAsk(ended, deps.clock()) });
        } finally {
          resolve(answer);
        }
      },
    };
    const close = (status: "expired" | "cancelled") => {
      if (deps.pending.take(pending)) pending.finish(status, null).catch(deps.log);
    };
    const timer = setTimeout(() => close("expired"), timeout);
    const onAbort = () => close("cancelled");
    deps.signal.addEventListener("abort", onAbort, { once: true });
    deps.pending.add(pending, () => {
      clearTimeout(timer);
      deps.signal.removeEventListener("abort", onAbort);
    });
    // Stopped while the question was being stored: its abort event has passed already.
    if (deps.signal.aborted) onAbort();
  });
}

export interface AnswerDeps {
  threads: ThreadStore;
  files: FileService;
  pending: PendingAsks;
  emit: EmitToUser;
  clock: () => number;
  messageFile: (row: FileRow) => MessageFile;
}

/**
 * A `message:send` to a thread whose question waits for text or files: the message is stored
 * as the answer (its `parentId` is the question) and `chat.ask` resolves with it; no
 * `onMessage` runs. Files must be the user's unattached uploads of an accepted type.
 */
export async function answerWithMessage(
  deps: AnswerDeps,
  ask: PendingAsk,
  content: string,
  fileIds: readonly string[],
): Promise<{ threadId: string; messageId: string }> {
  const { threadId, userId } = ask;
  if (ask.type === "file") {
    if (fileIds.length === 0) throw new ChatFailure("invalid_request", "This question asks for a file: attach one", threadId);
    const found = await Promise.all(fileIds.map((id) => deps.files.findOwned(userId, id)));
    if (found.some((file) => file === null || file.message_id !== null)) throw new ChatFailure("not_found", "Unknown or already attached file", threadId);
    const refused = (found as FileRow[]).find((file) => !isAccepted(file.mime, ask.accept));
    if (refused) throw new ChatFailure("invalid_request", `This question accepts ${ask.accept.join(", ")}; ${refused.name} is ${refused.mime}`, threadId);
  } else if (fileIds.length > 0 && !(await deps.files.checkAttachable(userId, fileIds, threadId))) {
    throw new ChatFailure("not_found", "Unknown or already attached file", threadId);
  }
  if (!deps.pending.take(ask)) throw new ChatFailure("ask_closed", "The question was already answered or has expired", threadId);
  try {
    const message = await deps.threads.insertMessage({
      thread_id: threadId,
      role: "user",
      content,
      status: "complete",
      created_at: deps.clock(),
      parent_id: ask.messageId,
    });
    const attached = await deps.files.attach(userId, fileIds, threadId, message.id);
    deps.emit("message:new", { threadId, messageId: message.id, role: "user", content, status: "complete", files: attached.map(deps.files.info) });
    await ask.finish("answered", ask.type === "file" ? attached.map(deps.messageFile) : content);
    return { threadId, messageId: message.id };
  } catch (error) {
    // The question was taken: it must not wait forever for an answer that was lost.
    await ask.finish("cancelled", null).catch(() => undefined);
    throw error;
  }
}

/** `action:run` on a question's button: `chat.ask` resolves with the choice. */
export async function answerWithAction(pending: PendingAsks, ask: PendingAsk, action: ChosenAction): Promise<void> {
  if (!pending.take(ask)) throw new ChatFailure("ask_closed", "The question was already answered or has expired", ask.threadId);
  await ask.finish("answered", action);
}
