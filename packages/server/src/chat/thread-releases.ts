import { isDatabaseUnavailable } from "../data/database-unavailable.js";
import type { ThreadStore } from "../data/thread-store.js";

/** While the database is unreachable, a release is tried again this often. */
const RETRY_MS = 1000;

/**
 * Frees this process's threads in the database in groups, off the reply's path. A run that
 * ends gives its thread back in memory at once (`thread:idle` follows), and asks here for the
 * database side: every release asked for during one turn of the event loop goes into one
 * UPDATE (`ThreadStore.releaseThreads`), run at the next turn. Under load many replies end in
 * the same turn, and each was one statement of its own.
 *
 * While a release waits, the database still names this process as the thread's owner, which
 * other processes see as "busy" a turn longer. This process may claim the thread again at
 * once: `beforeClaim` drops the waiting release (the claim sets the same owner and its own
 * `updated_at`), or waits for one already running, so a release can never undo a later claim.
 */
export class ThreadReleases {
  private waiting = new Set<string>();
  private running: { ids: ReadonlySet<string>; done: Promise<void> } | null = null;
  private scheduled = false;
  /** The last release failed for want of a database: retries are not logged again. */
  private failing = false;

  constructor(
    private readonly threads: ThreadStore,
    private readonly owner: string,
    private readonly clock: () => number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Frees the thread (if this process still holds it) and stamps its `updated_at`, soon. */
  release(threadId: string): void {
    this.waiting.add(threadId);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  /** Call before claiming `threadId` in the database again. */
  async beforeClaim(threadId: string): Promise<void> {
    if (this.waiting.delete(threadId)) return;
    if (this.running?.ids.has(threadId)) await this.running.done;
  }

  /**
   * Resolves once every release asked for so far was tried (shutdown, before the database
   * closes). Not retried here while the database is away: this process's threads are free
   * anyway once it unregisters (a thread whose owner is not a running process is free).
   */
  async settled(): Promise<void> {
    let tried = false;
    while (this.running || this.waiting.size > 0) {
      if (this.running) await this.running.done;
      else if (tried && this.failing) return;
      else {
        tried = true;
        await this.flush();
      }
    }
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    // One statement at a time: a later group waits for the one running.
    while (this.running) await this.running.done;
    if (this.waiting.size === 0) return;
    const ids = this.waiting;
    this.waiting = new Set();
    const done = this.threads.releaseThreads([...ids], this.owner, this.clock()).then(
      () => {
        this.failing = false;
      },
      (error: unknown) => this.failed(ids, error),
    );
    this.running = { ids, done };
    await done;
    this.running = null;
  }

  /**
   * A release that did not reach the database would leave the thread `busy` for every other
   * process for as long as this one lives: while the database is unreachable, it is tried
   * again (every second, logged once), unless the thread was claimed again meanwhile.
   */
  private failed(ids: ReadonlySet<string>, error: unknown): void {
    if (!isDatabaseUnavailable(error)) return this.onError(error);
    if (!this.failing) this.onError(error);
    this.failing = true;
    for (const id of ids) this.waiting.add(id);
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => void this.flush(), RETRY_MS).unref();
  }
}
