import type { ThreadSummary, UseThreadsResult } from "@parlor/react";
import { useMemo, useState } from "react";
import { AppLogo, useAppFace } from "../app-face";
import { useI18n, type MessageKey } from "../i18n";
import { describeError } from "../lib/describe-error";
import { plainTitle } from "../lib/plain-title";
import { activityGroup } from "../lib/format";
import { useAction } from "../lib/use-action";
import { hrefOf } from "../router/base-path";
import { navigate } from "../router/navigate";
import { chatPath } from "../router/routes";
import { ConfirmDialog } from "./ConfirmDialog";
import { CloseIcon, PlusIcon, SearchIcon } from "./icons";
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
  const { t } = useI18n();
  const face = useAppFace();
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
    <aside id={id} className="sidebar" aria-label={t("sidebar.label")}>
      <div className="sidebar-head">
        <a
          className="brand"
          href={hrefOf("/")}
          onClick={(event) => (event.preventDefault(), navigate("/"))}
          aria-label={t("app.newChatLink", { app: face.name })}
        >
          <AppLogo size={26} />
          <span className="brand-name" aria-hidden="true">
            {face.name}
          </span>
        </a>
        <button type="button" className="icon-button sidebar-close" aria-label={t("sidebar.close")} onClick={onClose}>
          <CloseIcon />
        </button>
      </div>

      <button type="button" className="button button-secondary new-chat" onClick={() => navigate("/")}>
        <PlusIcon />
        {t("sidebar.newChat")}
      </button>

      <div className="sidebar-search">
        <label htmlFor="thread-search" className="visually-hidden">
          {t("sidebar.search")}
        </label>
        <SearchIcon />
        <input
          id="thread-search"
          type="search"
          placeholder={t("sidebar.search")}
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

      <nav className="thread-nav" aria-label={t("sidebar.history")}>
        {threads.error !== null && threads.threads.length === 0 ? (
          <p className="sidebar-note sidebar-note-error" role="alert">
            {describeError(threads.error, t)}{" "}
            <button type="button" className="link-button" onClick={() => void threads.refresh()}>
              {t("sidebar.retry")}
            </button>
          </p>
        ) : null}
        {change.error !== null ? (
          <p className="sidebar-note sidebar-note-error" role="alert">
            {describeError(change.error, t)}
          </p>
        ) : null}
        {threads.threads.length === 0 && !threads.isLoading && threads.error === null ? (
          <p className="sidebar-note">{searching ? t("sidebar.noMatch") : t("sidebar.empty")}</p>
        ) : null}
        {groups.map(([group, items]) => (
          <section key={group} className="thread-group" aria-label={t(group)}>
            <h2 className="thread-group-title" aria-hidden="true">
              {t(group)}
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
            {threads.isLoading ? t("sidebar.loading") : t("sidebar.showMore")}
          </button>
        ) : null}
      </nav>

      <ConfirmDialog
        open={toDelete !== null}
        title={t("sidebar.deleteTitle")}
        confirmLabel={t("sidebar.deleteConfirm")}
        danger
        onConfirm={confirmDelete}
        onCancel={() => setToDelete(null)}
      >
        <p>{t("sidebar.deleteBody", { name: plainTitle(toDelete?.name ?? "") })}</p>
      </ConfirmDialog>
    </aside>
  );
}

function groupThreads(threads: readonly ThreadSummary[]): Array<[MessageKey, ThreadSummary[]]> {
  const now = new Date();
  const groups = new Map<MessageKey, ThreadSummary[]>();
  for (const thread of threads) {
    const group = activityGroup(thread.updatedAt, now);
    const list = groups.get(group);
    if (list) list.push(thread);
    else groups.set(group, [thread]);
  }
  return [...groups];
}
