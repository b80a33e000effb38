/**
 * Flow ids already used at the callback, so a captured flow cookie and callback URL cannot
 * be replayed while the cookie is still within its lifetime. In memory, per process: the
 * provider's one-time authorization code is the guarantee across processes, this is the
 * early refusal. Bounded: the oldest entries go first if a flood fills it.
 */
export class ConsumedFlows {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly retainMs: number,
    private readonly clock: () => number,
    private readonly maxEntries = 100_000,
  ) {}

  /** `true` the first time an id is seen, `false` ever after (while it is retained). */
  claim(id: string): boolean {
    const now = this.clock();
    const expiry = this.until.get(id);
    if (expiry !== undefined && expiry > now) return false;
    this.until.delete(id); // re-inserted at the end, keeping the map in expiry order
    this.sweep(now);
    this.until.set(id, now + this.retainMs);
    return true;
  }

  private sweep(now: number): void {
    // Insertion order is expiry order (constant retention), so stop at the first live entry.
    for (const [id, expiry] of this.until) {
      if (expiry > now && this.until.size < this.maxEntries) break;
      this.until.delete(id);
    }
  }
}
