import type { ThreadSummary, UseThreadsResult } from "@parlor/react";
import { useMemo, useState } from "react";
import { describeError } from "../lib/describe-error";
import { activityGroup } from "../lib/format";
import { useAction } from "../lib/use-action";
import { hrefOf } from "../router/base-path";
import { navigate } from "../router/navigate";
import { chatPath } from "../router/routes";
import { ConfirmDialog } from "./ConfirmDialog";
import { CloseIcon, LogoMark, PlusIcon, SearchIcon } from "./icons";
import { ThreadItem } from "./ThreadItem";
import "../styles/sidebar.css";

export interface SidebarProps {
  id: string;
  threads: UseThreadsResult;
  search: string;
  onSearch(value: string): void;
  activeThreadId: string | undefined;
  /** Closes the drawer (narrow screens). */
  onClose(): void;
}

/** "New chat", the search box and the user's threads grouped by last activity. */
export function Sidebar({ id, threads, search, onSearch, activeThreadId, onClose }: SidebarProps) {
  const [toDelete, setToDelete] = useState<ThreadSummary | null>(null);
  // Rename and delete share one error line, which shows the latest change's failure.
  const change = useAction((apply: () => Promise<unknown>) => apply());
  const groups = useMemo(() => groupThreads(threads.threads), [threads.threads]);
  const searching = search.trim() !== "";

  function confirmDelete() {
    const thread = toDelete;
    setToDelete(null);
    if (thread === null) return;
    void change.run(async () => {
      await threads.remove(thread.id);
      if (thread.id === activeThreadId) navigate("/", { replace: true });
    });
  }

  return (
    <aside id={id} className="sidebar" aria-label="Chats">
      <div className="sidebar-head">
        <a className="brand" href={hrefOf("/")} onClick={(event) => (event.preventDefault(), navigate("/"))} aria-label="Parlor, new chat">
          <LogoMark size={26} />
          <span className="brand-name" aria-hidden="true">
            Parlor
          </span>
        </a>
        <button type="button" className="icon-button sidebar-close" aria-label="Close chats" onClick={onClose}>
          <CloseIcon />
        </button>
      </div>

      <button type="button" className="button button-secondary new-chat" onClick={() => navigate("/")}>
        <PlusIcon />
        New chat
      </button>

      <div className="sidebar-search">
        <label htmlFor="thread-search" className="visually-hidden">
          Search chats
        </label>
        <SearchIcon />
        <input
          id="thread-search"
          type="search"
          placeholder="Search chats"
          autoComplete="off"
          value={search}
          onChange={(event) => onSearch(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Escape" && search !== "") {
              event.stopPropagation();
              onSearch("");
            }
          }}
        />
      </div>

      <nav className="thread-nav" aria-label="Chat history">
        {threads.error !== null && threads.threads.length === 0 ? (
          <p className="sidebar-note sidebar-note-error" role="alert">
            {describeError(threads.error)}{" "}
            <button type="button" className="link-button" onClick={() => void threads.refresh()}>
              Retry
            </button>
          </p>
        ) : null}
        {change.error !== null ? (
          <p className="sidebar-note sidebar-note-error" role="alert">
            {describeError(change.error)}
          </p>
        ) : null}
        {threads.threads.length === 0 && !threads.isLoading && threads.error === null ? (
          <p className="sidebar-note">{searching ? "No chats match your search." : "No chats yet. Start one!"}</p>
        ) : null}
        {groups.map(([group, items]) => (
          <section key={group} className="thread-group" aria-label={group}>
            <h2 className="thread-group-title" aria-hidden="true">
              {group}
            </h2>
            <ul className="thread-list">
              {items.map((thread) => (
                <ThreadItem
                  key={thread.id}
                  thread={thread}
                  href={chatPath(thread.id)}
                  active={thread.id === activeThreadId}
                  onRename={(name) => void change.run(() => threads.rename(thread.id, name))}
                  onDelete={() => setToDelete(thread)}
                />
              ))}
            </ul>
          </section>
        ))}
        {threads.isLoading && threads.threads.length === 0 ? (
          <ul className="thread-skeleton" aria-hidden="true">
            <li />
            <li />
            <li />
          </ul>
        ) : null}
        {threads.hasMore ? (
          <button type="button" className="button button-ghost load-more" onClick={() => void threads.loadMore()} disabled={threads.isLoading}>
            {threads.isLoading ? "Loading…" : "Show more"}
          </button>
        ) : null}
      </nav>

      <ConfirmDialog open={toDelete !== null} title="Delete chat?" confirmLabel="Delete" danger onConfirm={confirmDelete} onCancel={() => setToDelete(null)}>
        <p>“{toDelete?.name}” and all of its messages and files will be deleted. This can’t be undone.</p>
      </ConfirmDialog>
    </aside>
  );
}

function groupThreads(threads: readonly ThreadSummary[]): Array<[string, ThreadSummary[]]> {
  const now = new Date();
  const groups = new Map<string, ThreadSummary[]>();
  for (const thread of threads) {
    const group = activityGroup(thread.updatedAt, now);
    const list = groups.get(group);
    if (list) list.push(thread);
    else groups.set(group, [thread]);
  }
  return [...groups];
}
