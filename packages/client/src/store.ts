/** Called after every change of a store's snapshot. */
export type Listener = () => void;

/**
 * The smallest external store: an immutable snapshot, replaced on every change, and a set of
 * listeners. `subscribe` and `getSnapshot` are bound, so they can be handed to React's
 * `useSyncExternalStore` (or to anything else) as they are. Not exported from the package.
 */
export class Store<S extends object> {
  private state: S;
  private readonly listeners = new Set<Listener>();
  private batchDepth = 0;
  private changedInBatch = false;

  constructor(initial: S) {
    this.state = initial;
  }

  /** The current snapshot; the same object until the next change. */
  readonly getSnapshot = (): S => this.state;

  /** Adds a listener; returns the function that removes it. */
  readonly subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.onFirstSubscribe();
    return () => {
      if (this.listeners.delete(listener) && this.listeners.size === 0) this.onLastUnsubscribe();
    };
  };

  /** Whether anything listens: stores do network work only for someone. */
  protected get isObserved(): boolean {
    return this.listeners.size > 0;
  }

  /** Merges `changes` into a new snapshot and notifies, unless nothing changed. */
  protected setState(changes: Partial<S>): void {
    const current = this.state;
    let changed = false;
    for (const key of Object.keys(changes) as Array<keyof S>) {
      if (!Object.is(current[key], changes[key])) {
        changed = true;
        break;
      }
    }
    if (!changed) return;
    this.state = { ...current, ...changes };
    if (this.batchDepth > 0) this.changedInBatch = true;
    else this.notify();
  }

  /**
   * Runs `update` with the notifications held back, then notifies once if anything changed.
   * One incoming event often touches a snapshot in several steps (the messages, then the
   * status derived from them); subscribers should see the result once, not each step.
   * Nested batches notify when the outermost one ends, also when `update` throws.
   */
  protected batch<T>(update: () => T): T {
    this.batchDepth++;
    try {
      return update();
    } finally {
      if (--this.batchDepth === 0 && this.changedInBatch) {
        this.changedInBatch = false;
        this.notify();
      }
    }
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  protected onFirstSubscribe(): void {}
  protected onLastUnsubscribe(): void {}
}
