import { useCallback, useLayoutEffect, useRef, useState } from "react";

/** How a run ended. `run` never rejects: a failure is here and in `error`. */
export type ActionResult<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface Action<Args extends unknown[], T> {
  /** Starts the action: clears `error`, and keeps `pending` true until it settles. Stable across renders. */
  run(...args: Args): Promise<ActionResult<T>>;
  /** A run has not settled yet. */
  pending: boolean;
  /** The failure of the latest run, `null` when it has not failed (yet). Shown with `describeError`. */
  error: unknown;
}

export interface UseActionOptions {
  /** The error to show before the first run, read once (e.g. an OAuth failure handed over in the URL). */
  initialError?: () => unknown;
}

/**
 * Pending and error state for one user action (sign in, sign out, revoke, rename…), in place
 * of a try/catch/finally with `setError` in each component.
 *
 * `pending` counts runs in flight, and `error` belongs to the latest run started, so a slow
 * earlier run cannot overwrite the outcome of a newer one. The latest `action` is called,
 * so it may close over the current props.
 */
export function useAction<Args extends unknown[], T>(action: (...args: Args) => Promise<T>, { initialError }: UseActionOptions = {}): Action<Args, T> {
  const [inFlight, setInFlight] = useState(0);
  const [error, setError] = useState<unknown>(() => initialError?.() ?? null);
  const latestAction = useRef(action);
  const latestRun = useRef(0);
  useLayoutEffect(() => {
    latestAction.current = action;
  });

  const run = useCallback(async (...args: Args): Promise<ActionResult<T>> => {
    const id = ++latestRun.current;
    setError(null);
    setInFlight((count) => count + 1);
    try {
      return { ok: true, value: await latestAction.current(...args) };
    } catch (failure) {
      if (id === latestRun.current) setError(failure);
      return { ok: false, error: failure };
    } finally {
      setInFlight((count) => count - 1);
    }
  }, []);

  return { run, pending: inFlight > 0, error };
}
