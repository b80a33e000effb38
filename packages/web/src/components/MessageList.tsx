import { pendingAsk, type ChatMessageView, type ChatStatus, type StepsDisplay } from "@parlor/react";
import { Fragment, useLayoutEffect, useRef, type ReactNode } from "react";
import { AppLogo } from "../app-face";
import { useI18n } from "../i18n";
import { MessageItem, TypingDots } from "./MessageItem";

export interface MessageListProps {
  threadKey: string;
  messages: readonly ChatMessageView[];
  status: ChatStatus;
  /** Replies the user stopped. */
  stoppedIds: ReadonlySet<string>;
  /** Sends a question again: offered on each interrupted reply, usable while the chat is idle. */
  onRetry(question: ChatMessageView): void;
  /** Shown above the messages when there are none (a new chat). */
  empty: ReactNode;
  /** Below the messages: errors of the chat. */
  footer?: ReactNode;
  /** How replies show their steps. */
  stepsDisplay?: StepsDisplay;
  /** Runs an action of a message (or answers a question with it). */
  onAction?(message: ChatMessageView, actionId: string): void;
  /** Controls under a message (feedback, regenerate, edit). */
  controlsFor?: (message: ChatMessageView) => ReactNode;
  /** A message being edited, and the editor shown in its place. */
  editing?: { messageId: string; editor: ReactNode } | null;
}

/** How close to the bottom (px) still counts as "following" the conversation. */
const FOLLOW_SLACK = 120;

/**
 * The conversation, in a `role="log"` live region (polite). It keeps to the bottom while the
 * user is there, and leaves them alone when they scroll up to read.
 */
export function MessageList({
  threadKey,
  messages,
  status,
  stoppedIds,
  onRetry,
  empty,
  footer,
  stepsDisplay,
  onAction,
  controlsFor,
  editing,
}: MessageListProps) {
  const { t } = useI18n();
  const scrollRef = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const last = messages[messages.length - 1];
  const awaitingFirstToken = status === "streaming" && (last === undefined || last.role === "user");
  // While a question waits, the thread's run is busy with it: only its own buttons can work.
  const asking = pendingAsk(messages) !== null;

  // A new thread: start at its end.
  useLayoutEffect(() => {
    following.current = true;
  }, [threadKey]);

  // Our own message always scrolls into view; anything else only while following.
  const ownMessageSent = last?.role === "user" && last.pending === true;
  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (element === null) return;
    if (following.current || ownMessageSent) element.scrollTop = element.scrollHeight;
  });

  return (
    <div
      ref={scrollRef}
      className="chat-scroll"
      onScroll={(event) => {
        const element = event.currentTarget;
        following.current = element.scrollHeight - element.scrollTop - element.clientHeight < FOLLOW_SLACK;
      }}
    >
      <div className="chat-column">
        {messages.length === 0 ? empty : null}
        <div role="log" aria-live="polite" aria-label={t("chat.messages")} aria-busy={status === "streaming"} className="message-log">
          {messages.map((message, index) => {
            if (editing?.messageId === message.id) return <Fragment key={message.id}>{editing.editor}</Fragment>;
            const question = message.status === "interrupted" ? questionBefore(messages, index) : undefined;
            return (
              <MessageItem
                key={message.id}
                message={message}
                stopped={stoppedIds.has(message.id)}
                onRetry={question ? () => onRetry(question) : undefined}
                retryDisabled={status !== "idle"}
                {...(stepsDisplay ? { stepsDisplay } : {})}
                onAction={onAction ? (actionId) => onAction(message, actionId) : undefined}
                // A question's buttons work while it waits; other actions run a reply, so only when idle.
                actionsDisabled={message.ask ? message.ask.status !== "pending" : status !== "idle" || asking}
                controls={controlsFor?.(message)}
              />
            );
          })}
          {awaitingFirstToken ? (
            <div className="message message-assistant message-streaming">
              <span className="message-avatar" aria-hidden="true">
                <AppLogo size={28} />
              </span>
              <div className="message-body">
                <TypingDots />
              </div>
            </div>
          ) : null}
        </div>
        {footer}
      </div>
    </div>
  );
}

/** The user's message a reply answered: the nearest one before it, if it has text to send again. */
function questionBefore(messages: readonly ChatMessageView[], index: number): ChatMessageView | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role === "user") return message.content.trim() !== "" ? message : undefined;
  }
  return undefined;
}
