/**
 * Session ids revoked recently, checked on every request without a database round-trip.
 * An id only needs to stay as long as a token for it could still pass the fast path (the
 * token lifetime); after that every token for it is renewed through the session row,
 * which knows it is revoked.
 */
export class RevocationSet {
  private readonly revokedUntil = new Map<string, number>();
  private nextSweep = 0;

  constructor(
    private readonly retainMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  add(sessionId: string): void {
    const now = this.clock();
    this.revokedUntil.set(sessionId, now + this.retainMs);
    if (now >= this.nextSweep) this.sweep(now);
  }

  has(sessionId: string): boolean {
    return this.revokedUntil.has(sessionId);
  }

  get size(): number {
    return this.revokedUntil.size;
  }

  private sweep(now: number): void {
    for (const [id, until] of this.revokedUntil) if (until <= now) this.revokedUntil.delete(id);
    this.nextSweep = now + this.retainMs / 4;
  }
}
