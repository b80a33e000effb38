import type { LiveReply, CutStatus } from "./live-reply.js";

/** A run of `onMessage` in progress: one per thread at a time. */
export class Run {
  /** Set once the run has claimed its thread. */
  threadId: string | null = null;
  readonly replies = new Set<LiveReply>();
  /** Why the run was cut short, if it was: its replies end with this status. */
  cutShort: CutStatus | null = null;
  /** Settles when the run is over (or its message was refused before it started). */
  readonly done: Promise<void>;
  private settle!: () => void;
  private controller: AbortController | undefined;

  constructor(
    readonly userId: string,
    private readonly onRelease: (run: Run) => void = () => undefined,
  ) {
    this.done = new Promise<void>((resolve) => (this.settle = resolve));
  }

  /** `chat.signal`. Made on first use: most runs end without anyone looking at it. */
  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  abort(): void {
    (this.controller ??= new AbortController()).abort();
  }

  /** Gives back the user's slot and the thread. Idempotent. */
  release(): void {
    this.onRelease(this);
    this.settle();
  }
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
  private readonly perUser = new Map<string, number>();

  constructor(private readonly maxPerUser: number) {}

  /** Takes one of the user's slots; `null` when the user already has `maxPerUser` runs. */
  claim(userId: string): Run | null {
    const running = this.perUser.get(userId) ?? 0;
    if (running >= this.maxPerUser) return null;
    const run = new Run(userId, (ended) => this.forget(ended));
    this.active.add(run);
    this.perUser.set(userId, running + 1);
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

  /** A run for callbacks outside `onMessage` (`onChatEnd`): counted nowhere, so nothing waits for it (`done` is settled). */
  static detached(userId: string): Run {
    const run = new Run(userId);
    run.release();
    return run;
  }

  private forget(run: Run): void {
    if (!this.active.delete(run)) return;
    const left = (this.perUser.get(run.userId) ?? 1) - 1;
    if (left === 0) this.perUser.delete(run.userId);
    else this.perUser.set(run.userId, left);
    if (run.threadId !== null && this.byThread.get(run.threadId) === run) this.byThread.delete(run.threadId);
  }
}
