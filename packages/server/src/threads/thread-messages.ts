import type { ChatMessage, FileInfo } from "@parlor/protocol";
import type { ThreadStore } from "../data/thread-store.js";
import type { FileService } from "../files/file-service.js";
import { toChatMessage } from "./thread-json.js";

/** A thread's messages in order, each with its attached files: two queries, whatever the length. */
export async function loadThreadMessages(threads: ThreadStore, files: FileService, threadId: string): Promise<ChatMessage[]> {
  const rows = await threads.listMessages(threadId);
  const byMessage = new Map<string, FileInfo[]>();
  for (const file of await files.listForMessages(rows.map((row) => row.id))) {
    const list = byMessage.get(file.message_id!) ?? [];
    list.push(files.info(file));
    byMessage.set(file.message_id!, list);
  }
  return rows.map((row) => toChatMessage(row, byMessage.get(row.id)));
}
