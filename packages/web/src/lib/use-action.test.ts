// @vitest-environment jsdom
import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { useAction, type ActionResult } from "./use-action";

/** A promise settled by the test, to watch the state between start and end. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

describe("useAction", () => {
  it("is pending until the action settles, then returns its value with no error", async () => {
    const gate = deferred<string>();
    const { result } = renderHook(() => useAction((name: string) => gate.promise.then((value) => `${value} ${name}`)));
    expect(result.current.pending).toBe(false);

    let outcome!: Promise<ActionResult<string>>;
    act(() => {
      outcome = result.current.run("Ada");
    });
    expect(result.current.pending).toBe(true);
    await act(async () => gate.resolve("hello"));
    expect(await outcome).toEqual({ ok: true, value: "hello Ada" });
    expect(result.current.pending).toBe(false);
    expect(result.current.error).toBeNull();
  });

  it("keeps a failure as `error` without rejecting, and clears it when the next run starts", async () => {
    const failure = new Error("refused");
    const gates = [deferred<void>(), deferred<void>()];
    let call = 0;
    const { result } = renderHook(() => useAction(() => gates[call++]!.promise));

    let outcome!: Promise<ActionResult<void>>;
    act(() => {
      outcome = result.current.run();
    });
    await act(async () => gates[0]!.reject(failure));
    expect(await outcome).toEqual({ ok: false, error: failure });
    expect(result.current.error).toBe(failure);
    expect(result.current.pending).toBe(false);

    act(() => {
      void result.current.run();
    });
    expect(result.current.error).toBeNull();
    expect(result.current.pending).toBe(true);
    await act(async () => gates[1]!.resolve());
    expect(result.current.pending).toBe(false);
  });

  it("lets the latest run decide the error, and stays pending while any run is in flight", async () => {
    const slow = deferred<void>();
    const fast = deferred<void>();
    const { result } = renderHook(() => useAction((gate: Promise<void>) => gate));

    act(() => {
      void result.current.run(slow.promise);
      void result.current.run(fast.promise);
    });
    await act(async () => fast.resolve());
    expect(result.current.pending).toBe(true);
    await act(async () => slow.reject(new Error("late")));
    expect(result.current.pending).toBe(false);
    expect(result.current.error).toBeNull();
  });

  it("shows `initialError` until the first run, reading it once", async () => {
    let reads = 0;
    const handedOver = new Error("from the URL");
    const { result, rerender } = renderHook(() =>
      useAction(async () => "ok", {
        initialError: () => {
          reads++;
          return handedOver;
        },
      }),
    );
    rerender();
    expect(result.current.error).toBe(handedOver);
    expect(reads).toBe(1);
    await act(async () => {
      await result.current.run();
    });
    expect(result.current.error).toBeNull();
  });

  it("keeps `run` stable across renders and calls the action of the latest render", async () => {
    const { result, rerender } = renderHook(({ suffix }) => useAction(async () => `value ${suffix}`), { initialProps: { suffix: "one" } });
    const firstRun = result.current.run;
    rerender({ suffix: "two" });
    expect(result.current.run).toBe(firstRun);
    let outcome!: ActionResult<string>;
    await act(async () => {
      outcome = await result.current.run();
    });
    expect(outcome).toEqual({ ok: true, value: "value two" });
  });
});
