import { useThreads } from "@parlor/react";
import { useEffect, useState } from "react";
import { AccountMenu } from "../components/AccountMenu";
import { MenuIcon } from "../components/icons";
import { Sidebar } from "../components/Sidebar";
import { useI18n } from "../i18n";
import { plainTitle } from "../lib/plain-title";
import { useDebounced } from "../lib/use-debounced";
import type { Route } from "../router/routes";
import { ThemeToggle } from "../theme/ThemeToggle";
import { ChatPage } from "./ChatPage";
import { SessionsPage } from "./SessionsPage";
import "../styles/shell.css";

export interface AppShellProps {
  route: Extract<Route, { name: "chat" | "sessions" }>;
}

/** The signed-in layout: the thread sidebar (a drawer on narrow screens) and the page. */
export function AppShell({ route }: AppShellProps) {
  const { t } = useI18n();
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 250);
  const threads = useThreads({ q });
  const [drawerOpen, setDrawerOpen] = useState(false);
  const activeThreadId = route.name === "chat" ? route.threadId : undefined;

  // Any navigation closes the drawer.
  useEffect(() => setDrawerOpen(false), [route.name, activeThreadId]);

  useEffect(() => {
    if (!drawerOpen) return;
    const closeOnEscape = (event: KeyboardEvent) => {
      if (event.key === "Escape") setDrawerOpen(false);
    };
    window.addEventListener("keydown", closeOnEscape);
    return () => window.removeEventListener("keydown", closeOnEscape);
  }, [drawerOpen]);

  const activeName = threads.threads.find((thread) => thread.id === activeThreadId)?.name;
  const title =
    route.name === "sessions"
      ? t("shell.sessions")
      : activeThreadId
        ? activeName !== undefined
          ? plainTitle(activeName)
          : t("shell.chat")
        : t("shell.newChat");

  return (
    <div className={`shell${drawerOpen ? " shell-drawer-open" : ""}`}>
      <Sidebar id="sidebar" threads={threads} search={search} onSearch={setSearch} activeThreadId={activeThreadId} onClose={() => setDrawerOpen(false)} />
      <div className="shell-backdrop" onClick={() => setDrawerOpen(false)} aria-hidden="true" />
      <div className="shell-main">
        <header className="topbar">
          <button
            type="button"
            className="icon-button topbar-menu"
            aria-label={t("shell.showChats")}
            aria-controls="sidebar"
            aria-expanded={drawerOpen}
            onClick={() => setDrawerOpen((open) => !open)}
          >
            <MenuIcon />
          </button>
          <h1 className="topbar-title" title={title}>
            {title}
          </h1>
          <div className="topbar-actions">
            <ThemeToggle />
            <AccountMenu />
          </div>
        </header>
        {route.name === "sessions" ? <SessionsPage /> : <ChatPage threadId={route.threadId} />}
      </div>
    </div>
  );
}
