import type { ChatMessage, FileInfo } from "@parlor/protocol";
import type { MessageExtraStores } from "../data/message-extras.js";
import type { ThreadStore } from "../data/thread-store.js";
import type { FileService } from "../files/file-service.js";
import { withExtras } from "./extras-json.js";
import { toChatMessage } from "./thread-json.js";

/** Where a thread's messages and what they carry are read from. */
export interface ThreadReaders {
  threads: ThreadStore;
  files: FileService;
  extras: MessageExtraStores;
  clock: () => number;
}

/**
 * A thread's messages in order, each with its attached files, steps, actions and question:
 * five queries, whatever the length.
 */
export async function loadThreadMessages({ threads, files, extras, clock }: ThreadReaders, threadId: string): Promise<ChatMessage[]> {
  const [rows, steps, actions, asks] = await Promise.all([
    threads.listMessages(threadId),
    extras.steps.listForThread(threadId),
    extras.actions.listForThread(threadId),
    extras.asks.listForThread(threadId),
  ]);
  const byMessage = new Map<string, FileInfo[]>();
  for (const file of await files.listForMessages(rows.map((row) => row.id))) {
    const list = byMessage.get(file.message_id!) ?? [];
    list.push(files.info(file));
    byMessage.set(file.message_id!, list);
  }
  return withExtras(
    rows.map((row) => toChatMessage(row, byMessage.get(row.id))),
    { steps, actions, asks },
    clock(),
  );
}
