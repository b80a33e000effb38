import type { AskStatus, AskType } from "@parlor/protocol";

/** A question waiting for its answer in this process (`chat.ask`). */
export interface PendingAsk {
  messageId: string;
  threadId: string;
  userId: string;
  type: AskType;
  /** For file questions: accepted types (`image/*`); empty accepts any. */
  accept: readonly string[];
  /**
   * Closes the question with `status` and resolves `chat.ask` with `answer`: stored, then
   * announced. Call it once, after `take`.
   */
  finish(status: Exclude<AskStatus, "pending">, answer: unknown): Promise<void>;
}

/**
 * The questions this process waits on, at most one per thread (the run that asked holds the
 * thread). `take` is synchronous: of an answer, a second answer, a timeout and a stop that
 * happen at once, exactly one takes the question.
 */
export class PendingAsks {
  private readonly byThread = new Map<string, PendingAsk>();
  private readonly cleanups = new Map<PendingAsk, () => void>();

  add(ask: PendingAsk, cleanup: () => void): void {
    this.byThread.set(ask.threadId, ask);
    this.cleanups.set(ask, cleanup);
  }

  inThread(threadId: string): PendingAsk | undefined {
    return this.byThread.get(threadId);
  }

  /** The question on message `messageId`, while it waits. */
  forMessage(messageId: string): PendingAsk | undefined {
    for (const ask of this.byThread.values()) if (ask.messageId === messageId) return ask;
    return undefined;
  }

  /** Takes the question out of waiting (its timer and stop listener go): `false` when another took it first. */
  take(ask: PendingAsk): boolean {
    if (this.byThread.get(ask.threadId) !== ask) return false;
    this.byThread.delete(ask.threadId);
    this.cleanups.get(ask)?.();
    this.cleanups.delete(ask);
    return true;
  }
}

/** Whether a sniffed type matches a pattern of `accept` (`image/png`, `image/*`). Empty accepts any. */
export function isAccepted(mime: string, accept: readonly string[]): boolean {
  if (accept.length === 0) return true;
  return accept.some((pattern) => (pattern.endsWith("/*") ? mime.startsWith(pattern.slice(0, -1)) : mime === pattern));
}
