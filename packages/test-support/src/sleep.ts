/**
 * Waits `ms` of real time. Only for tests where time itself is under test: a real timer of the
 * code (a guard, a back-off), or "nothing more happens for a while". Everywhere else wait for the
 * event (`waitForEvent`, `once`), poll a condition (`eventually`), or move a `TestClock`.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
