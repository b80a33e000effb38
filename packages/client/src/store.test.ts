import { describe, expect, it } from "vitest";
import { Store } from "./store.js";

/** A store whose batch is callable from the test. */
class Counter extends Store<{ a: number; b: number }> {
  constructor() {
    super({ a: 0, b: 0 });
  }
  set(changes: Partial<{ a: number; b: number }>) {
    this.setState(changes);
  }
  run<T>(update: () => T): T {
    return this.batch(update);
  }
}

function observed() {
  const store = new Counter();
  const seen: Array<{ a: number; b: number }> = [];
  store.subscribe(() => seen.push(store.getSnapshot()));
  return { store, seen };
}

describe("Store.batch", () => {
  it("notifies once, with the final snapshot, however many changes and nested batches it holds", () => {
    const { store, seen } = observed();
    store.run(() => {
      store.set({ a: 1 });
      store.run(() => store.set({ b: 2 }));
      expect(seen).toEqual([]); // the inner batch's end does not notify
      store.set({ a: 3 });
    });
    expect(seen).toEqual([{ a: 3, b: 2 }]);
  });

  it("does not notify when nothing changed", () => {
    const { store, seen } = observed();
    store.run(() => store.set({ a: 0 }));
    expect(seen).toEqual([]);
  });

  it("still notifies when the update throws, and passes the error on", () => {
    const { store, seen } = observed();
    expect(() =>
      store.run(() => {
        store.set({ a: 1 });
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(seen).toEqual([{ a: 1, b: 0 }]);
    store.set({ b: 1 }); // and the store is out of the batch again
    expect(seen).toHaveLength(2);
  });
});
