/**
 * A clock the test moves instead of waiting. Pass `clock.now` as `createServer`'s `clock`
 * option (the test server does): token lifetimes, session idle limits, signed URL expiry and
 * rate-limit windows then follow `advance` rather than real time.
 */
export class TestClock {
  #time: number;

  constructor(start = Date.now()) {
    this.#time = start;
  }

  /** The current test time in milliseconds since the epoch; bound, so it can be passed around. */
  readonly now = (): number => this.#time;

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError("a test clock only moves forward");
    this.#time += ms;
  }
}
