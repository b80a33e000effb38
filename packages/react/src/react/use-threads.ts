import type { ThreadListOptions, ThreadListState, ThreadSummary } from "@parlor/client";
import { useEffect, useState } from "react";
import { useParlorClient } from "./use-parlor-client.js";
import { useStore } from "./use-store.js";

export interface UseThreadsResult extends ThreadListState {
  /** Appends the next page. */
  loadMore(): Promise<void>;
  rename(threadId: string, name: string): Promise<ThreadSummary>;
  remove(threadId: string): Promise<void>;
  /** Reloads the first page. */
  refresh(): Promise<void>;
}

/**
 * The user's threads, most recently active first, a page at a time. New threads appear on
 * their own (`thread:created`); `q` searches names and messages (debounce it yourself).
 *
 * @example
 * function History() {
 *   const { threads, hasMore, loadMore, rename, remove } = useThreads({ q: search });
 *   return (
 *     <ul>
 *       {threads.map((t) => <li key={t.id}>{t.name} <button onClick={() => remove(t.id)}>Delete</button></li>)}
 *       {hasMore ? <button onClick={loadMore}>More</button> : null}
 *     </ul>
 *   );
 * }
 */
export function useThreads(options: ThreadListOptions = {}): UseThreadsResult {
  const client = useParlorClient();
  const [store] = useState(() => client.createThreadList(options));
  useEffect(() => store.setQuery(options.q), [store, options.q]);
  const state = useStore(store);
  return { ...state, loadMore: store.loadMore, rename: store.rename, remove: store.remove, refresh: store.refresh };
}
