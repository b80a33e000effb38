/**
 * Polls `check` until it returns a truthy value, and returns it; fails naming `what` after
 * `timeoutMs`. For conditions no event announces (a database row, a file on disk, a count);
 * wait for the event instead where there is one (`waitForEvent`, `once`).
 */
export async function eventually<T>(what: string, check: () => Promise<T> | T, timeoutMs = 5_000, intervalMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
