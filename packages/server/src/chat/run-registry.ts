import type { LiveReply, CutStatus } from "./live-reply.js";

/** A run of `onMessage` in progress: one per thread at a time. */
export interface Run {
  userId: string;
  /** Set once the run has claimed its thread. */
  threadId: string | null;
  controller: AbortController;
  replies: Set<LiveReply>;
  /** Why the run was cut short, if it was: its replies end with this status. */
  cutShort: CutStatus | null;
  /** Settles when the run is over (or its message was refused before it started). */
  done: Promise<void>;
  /** Gives back the user's slot and the thread. Idempotent. */
  release: () => void;
}

/**
 * The runs of this process: at most one per thread, at most `maxPerUser` per user. Every
 * method is synchronous, so a check and its claim can never be split by an await: two
 * messages sent in the same tick are counted and refused correctly.
 */
export class RunRegistry {
  private readonly byThread = new Map<string, Run>();
  /** Every run from the moment its message is accepted for checking until it is over. */
  private readonly active = new Set<Run>();

  constructor(private readonly maxPerUser: number) {}

  /** Takes one of the user's slots; `null` when the user already has `maxPerUser` runs. */
  claim(userId: string): Run | null {
    let running = 0;
    for (const run of this.active) if (run.userId === userId) running++;
    if (running >= this.maxPerUser) return null;
    let settle!: () => void;
    const run: Run = {
      userId,
      threadId: null,
      controller: new AbortController(),
      replies: new Set(),
      cutShort: null,
      done: new Promise<void>((resolve) => (settle = resolve)),
      release: () => {
        this.active.delete(run);
        if (run.threadId !== null && this.byThread.get(run.threadId) === run) this.byThread.delete(run.threadId);
        settle();
      },
    };
    this.active.add(run);
    return run;
  }

  /** Makes `run` the thread's one running reply; `false` when the thread already has one. */
  claimThread(threadId: string, run: Run): boolean {
    if (this.byThread.has(threadId)) return false;
    this.byThread.set(threadId, run);
    run.threadId = threadId;
    return true;
  }

  inThread(threadId: string): Run | undefined {
    return this.byThread.get(threadId);
  }

  /** The user's runs that hold a thread, in `threadId` only when given. */
  ofUser(userId: string, threadId?: string): Run[] {
    return [...this.byThread.values()].filter((run) => run.userId === userId && (threadId === undefined || run.threadId === threadId));
  }

  /** Every run not over yet, those still being checked included. */
  all(): Run[] {
    return [...this.active];
  }

  /** A run for callbacks outside `onMessage` (`onChatEnd`): counted nowhere. */
  static detached(userId: string): Run {
    return {
      userId,
      threadId: null,
      controller: new AbortController(),
      replies: new Set(),
      cutShort: null,
      done: Promise.resolve(),
      release: () => undefined,
    };
  }
}
