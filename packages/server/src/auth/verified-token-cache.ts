/**
 * Tokens already verified, so a repeat request skips the HMAC and JSON work. Bounded (the
 * oldest entry goes first) and each entry dies with its token's renewal point; callers
 * still check the revocation set on every hit.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { value: T; validUntil: number }>();

  constructor(private readonly maxEntries: number) {}

  get(token: string, now: number): T | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.validUntil <= now) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.value;
  }

  set(token: string, value: T, validUntil: number): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { value, validUntil });
  }

  clear(): void {
    this.entries.clear();
  }
}
