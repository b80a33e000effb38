import { useSyncExternalStore } from "react";
import { appPathOf } from "./base-path";
import { subscribeToLocation } from "./navigate";

export interface AppLocation {
  pathname: string;
  /** With the leading `?`, or `""`. */
  search: string;
}

function readHref(): string {
  return `${appPathOf(window.location.pathname)}${window.location.search}`;
}

/**
 * The current path of the app (the base path taken off, see base-path.ts) and query string; re-renders on `navigate` and on back/forward.
 *
 * @example
 * const { pathname } = useLocation();
 */
export function useLocation(): AppLocation {
  const href = useSyncExternalStore(subscribeToLocation, readHref, () => "/");
  const queryAt = href.indexOf("?");
  return queryAt === -1 ? { pathname: href, search: "" } : { pathname: href.slice(0, queryAt), search: href.slice(queryAt) };
}
