import { hrefOf } from "./base-path";

/** Called after every change of the URL, by `navigate` or by the browser's back/forward. */
type Listener = () => void;

const listeners = new Set<Listener>();

function notify(): void {
  for (const listener of [...listeners]) listener();
}

if (typeof window !== "undefined") window.addEventListener("popstate", notify);

/** Follows URL changes; returns the function that stops following. */
export function subscribeToLocation(listener: Listener): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

export interface NavigateOptions {
  /** Replace the current history entry instead of adding one (redirects). */
  replace?: boolean;
}

/**
 * Goes to a path of this app (without the base path, which is put in front here) without
 * reloading the page. Only same-origin paths: anything
 * else (a full URL, `//host`) is refused, so a value read from the URL cannot send the user
 * to another site.
 *
 * @example
 * navigate("/sessions");
 * navigate("/login", { replace: true });
 */
export function navigate(to: string, options: NavigateOptions = {}): void {
  if (!isAppPath(to)) throw new TypeError(`navigate: not a path of this app: ${to}`);
  const url = hrefOf(to);
  const current = `${window.location.pathname}${window.location.search}`;
  if (url === current) return;
  if (options.replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  notify();
}

/** A path on this origin: starts with one `/`, not `//` or `/\` (which browsers read as another host). */
export function isAppPath(value: string): boolean {
  return /^\/(?![/\\])/.test(value);
}
