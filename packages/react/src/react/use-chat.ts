import { useEffect, useState } from "react";
import type { ChatSettingValues, ChatState, ConnectionState, MessageFeedback, SentMessage } from "@parlor/client";
import { useParlorClient } from "./use-parlor-client.js";
import { useStore } from "./use-store.js";

export interface UseChatResult extends ChatState {
  /** The realtime connection, shared by every hook of the provider. */
  connection: ConnectionState;
  /** Sends a message; without a thread it starts one, and `threadId` then names it. */
  send(content: string, fileIds?: readonly string[]): Promise<SentMessage>;
  /** Stops the reply being written; the chat is idle at once. */
  stop(): void;
  /**
   * Runs an action under a message (the app's `onAction` answers), or answers an action
   * question with it. A text or file question is answered with `send`.
   */
  runAction(messageId: string, actionId: string): Promise<void>;
  /** Rates a reply: `1` thumbs up, `-1` down, `0` takes it back; resolves with what is stored. */
  feedback(messageId: string, value: 1 | -1 | 0, comment?: string): Promise<MessageFeedback | null>;
  /** Replaces the thread's latest user message with new text; the app answers again. */
  edit(messageId: string, content: string): Promise<SentMessage>;
  /** Writes the thread's latest reply again. */
  regenerate(messageId: string): Promise<void>;
  /** Changes chat settings: stored at once in a thread, sent with the first message in a new chat. */
  updateSettings(changes: ChatSettingValues): Promise<ChatSettingValues>;
  /** A new chat only: the profile it starts with. */
  setProfile(profile: string | null): void;
}

/**
 * A live chat in one thread: messages stream in token by token, and the thread is resumed
 * after every reconnection and whenever `threadId` changes. Without `threadId`, the first
 * `send` starts a thread and the hook follows it (read the new id from `threadId`).
 *
 * A reply being written now has `live: true`; how a reply ended is its `status` (`complete`,
 * `error`, `stopped`, `interrupted`), the same after a reload. `status` of the hook is
 * `streaming` only while a reply is awaited or live, so a reply that is not live never
 * blocks the next message.
 *
 * A message may carry `steps` (what the app did while writing it, streamed live), `actions`
 * (buttons: `runAction(message.id, action.id)`) and an `ask` (a question; `pendingAsk(messages)`
 * finds the one waiting, and `send` answers a text or file question).
 *
 * @example
 * function Chat({ threadId }: { threadId?: string }) {
 *   const { messages, status, send, stop } = useChat(threadId);
 *   return (
 *     <>
 *       {messages.map((m) => <p key={m.id}>{m.role}: {m.content}</p>)}
 *       {status === "streaming" ? <button onClick={stop}>Stop</button> : null}
 *       <button onClick={() => send("Hello").catch(() => {})} disabled={status !== "idle"}>Send</button>
 *     </>
 *   );
 * }
 */
export function useChat(threadId?: string): UseChatResult {
  const client = useParlorClient();
  const [store] = useState(() => client.createChat(threadId ?? null));
  useEffect(() => store.setThreadId(threadId ?? null), [store, threadId]);
  const state = useStore(store);
  const { state: connection } = useStore(client.connection);
  return {
    ...state,
    connection,
    send: store.send,
    stop: store.stop,
    feedback: store.feedback,
    edit: store.edit,
    regenerate: store.regenerate,
    updateSettings: store.updateSettings,
    setProfile: store.setProfile,
    runAction: store.runAction,
  };
}
