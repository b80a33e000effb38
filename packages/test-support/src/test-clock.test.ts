import { describe, expect, it } from "vitest";
import { TestClock } from "./test-clock.js";

describe("TestClock", () => {
  it("stands still until advanced, in milliseconds, and only forward", () => {
    const clock = new TestClock(1_000);
    const { now } = clock; // passed around unbound, as createServer's `clock` option
    expect(now()).toBe(1_000);
    clock.advance(250);
    expect(now()).toBe(1_250);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});
