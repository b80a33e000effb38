import { useAuth, useChat, type ParlorApiError, type SentMessage } from "@parlor/react";
import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import { useAppAccent } from "../app-face";
import { ChatView } from "../components/ChatView";
import type { ComposerHandle } from "../components/Composer";
import { AlertIcon, PlusIcon } from "../components/icons";
import { Splash } from "../components/Splash";
import { useI18n } from "../i18n";
import { describeError } from "../lib/describe-error";
import { SidePanelHost } from "../rich/side-panel";
import type { HostInbox } from "./host-inbox";
import type { HostLink } from "./host-link";
import "../styles/embed.css";

export interface EmbedAppProps {
  link: HostLink;
  inbox: HostInbox;
  /** Partitioned cookie mode: why the sign-in before the client started failed, if it did (cookie-sign-in.ts). */
  signInError?: ParlorApiError | null;
}

/**
 * The chat in the widget's iframe: one conversation, compact (no sidebar, no account menu).
 * The session is the host page's user, from the host token; when it cannot be had (the token
 * was refused, the host page gave none) or ends, the chat says so and stops.
 */
export function EmbedApp({ link, inbox, signInError = null }: EmbedAppProps) {
  const auth = useAuth();
  const { t } = useI18n();
  useAppAccent();
  const [threadId, setThreadId] = useState<string | undefined>(undefined);
  const chat = useChat(threadId);
  const host = useSyncExternalStore(inbox.subscribe, inbox.getSnapshot);
  const composerRef = useRef<ComposerHandle>(null);
  /** Replies the user has seen with the panel open; the others are unread. */
  const seen = useRef(new Set<string>());
  const openedBefore = useRef(0);
  const unreadSent = useRef(0);
  /** A host message is on its way: the next waits for it (the server refuses a second one as `busy`). */
  const sendingHostMessage = useRef(false);

  // Escape inside the chat closes the panel, as it does on the launcher.
  useEffect(() => {
    const closeOnEscape = (event: KeyboardEvent) => {
      if (event.key === "Escape" && !event.defaultPrevented) link.requestClose();
    };
    window.addEventListener("keydown", closeOnEscape);
    return () => window.removeEventListener("keydown", closeOnEscape);
  }, [link]);

  // The panel opened: ready to type (not on touch screens, where it pops the keyboard up).
  useEffect(() => {
    if (host.open && window.matchMedia("(pointer: fine)").matches) composerRef.current?.focus();
  }, [host.open]);

  // Unread replies for the launcher's badge: finished replies that arrived while it was closed.
  const finished = chat.messages.filter((message) => message.role === "assistant" && message.live !== true);
  if (host.open || host.opened !== openedBefore.current) for (const message of finished) seen.current.add(message.id);
  openedBefore.current = host.opened;
  const unread = host.open ? 0 : finished.filter((message) => !seen.current.has(message.id)).length;
  useEffect(() => {
    if (unread === unreadSent.current) return;
    unreadSent.current = unread;
    link.reportUnread(unread);
  }, [link, unread]);

  // Parlor.sendMessage(text): sent as the user's message, one at a time, once the chat can.
  const canSend = auth.isAuthenticated && chat.connection === "connected" && chat.status === "idle" && !chat.isLoading;
  useEffect(() => {
    if (!canSend || host.messages.length === 0 || sendingHostMessage.current) return;
    const text = inbox.take();
    if (text === undefined) return;
    sendingHostMessage.current = true;
    chat
      .send(text)
      .then(onSent, () => {
        // Shown from `chat.error`, like a message typed here.
      })
      .finally(() => {
        sendingHostMessage.current = false;
      });
  }, [canSend, host.messages, inbox, chat]);

  function onSent(sent: SentMessage) {
    setThreadId(sent.threadId);
  }

  if (!auth.isReady) return <Splash />;
  if (!auth.isAuthenticated) {
    const error = signInError ?? auth.error;
    return (
      <div className="embed-notice" role="alert">
        <AlertIcon />
        <p>{error?.code === "invalid_token" || error?.code === "token_failed" ? t("embed.signInFailed") : describeError(error, t)}</p>
        {error ? <p className="embed-notice-code">{error.code}</p> : null}
      </div>
    );
  }

  return (
    <div className="embed">
      {/* The panel around the iframe has the title and the close button (the loader's);
          this bar only holds what the chat itself needs. */}
      <div className="embed-bar">
        <button
          type="button"
          className="button button-ghost embed-new-chat"
          disabled={threadId === undefined && chat.messages.length === 0}
          onClick={() => setThreadId(undefined)}
        >
          <PlusIcon />
          {t("embed.newChat")}
        </button>
      </div>
      <SidePanelHost>
        <ChatView chat={chat} threadId={threadId} onSent={onSent} onNewChat={() => setThreadId(undefined)} composerRef={composerRef} />
      </SidePanelHost>
    </div>
  );
}
