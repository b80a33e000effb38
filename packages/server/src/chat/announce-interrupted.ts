import type { AbandonedReply } from "../data/process-store.js";
import type { EmitToUser } from "./live-reply.js";

/**
 * Tells the clients of a reply's user that the reply ended `interrupted` and its thread is
 * free, with the events a reply that ends by itself sends (`message:end`, then `thread:idle`).
 * For the replies of a process that died mid-reply (`kill -9`, a lost machine): it could not
 * say so itself, and the process that marks them in the database (process-lease.ts) is
 * another one. Through the user's room, so with several nodes the tabs on every node hear it
 * and stop showing the reply as streaming, without a reload or a resume.
 */
export function announceInterrupted(emitToUser: (userId: string) => EmitToUser): (replies: readonly AbandonedReply[]) => void {
  return function announceInterrupted(replies) {
    const idle = new Map<string, string>();
    for (const { messageId, threadId, userId } of replies) {
      emitToUser(userId)("message:end", { threadId, messageId, status: "interrupted" });
      idle.set(threadId, userId);
    }
    // Once per thread, after its replies' ends, as a run that ends sends it.
    for (const [threadId, userId] of idle) emitToUser(userId)("thread:idle", { threadId });
  };
}
