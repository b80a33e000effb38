import type { ChatMessageView, StepsDisplay } from "@parlor/react";
import { memo, lazy, Suspense, type ReactNode } from "react";
import { AppLogo } from "../app-face";
import { useI18n, type Translate } from "../i18n";
import { formatDateTime, formatMessageTime } from "../lib/format";
import { useCopy } from "../rich/use-copy";
import { FallbackOnError } from "./FallbackOnError";
import { AlertIcon, CheckIcon, CopyIcon, RetryIcon } from "./icons";
import { ActionButtons } from "./ActionButtons";
import { AskStatus } from "./AskStatus";
import { MessageFiles } from "./MessageFiles";
import { MessageSteps } from "./MessageSteps";

/**
 * The Markdown renderer is most of the bundle: loaded with the first reply, not the login page.
 * A failed load shows replies as plain text (`FallbackOnError`); the next message tries again.
 */
let Markdown = lazyMarkdown();
function lazyMarkdown() {
  return lazy(() =>
    import("./Markdown").then(
      (module) => ({ default: module.Markdown }),
      (error: unknown) => {
        // `lazy` keeps a failure for good: messages rendered from now on get a fresh loader.
        Markdown = lazyMarkdown();
        throw error;
      },
    ),
  );
}

export interface MessageItemProps {
  message: ChatMessageView;
  /** The user pressed Stop on this reply here (an older server stores a stopped reply as `complete`). */
  stopped?: boolean;
  /** Offered on an interrupted reply: sends the question again. Absent: no Retry button. */
  onRetry?: (() => void) | undefined;
  /** Retry is shown but cannot be used now (a reply is being written). */
  retryDisabled?: boolean;
  /** How the reply's steps show (`ui.steps` of the app). */
  stepsDisplay?: StepsDisplay;
  /** Runs one of the message's actions. */
  onAction?: ((actionId: string) => void) | undefined;
  /** The message's actions cannot run now. */
  actionsDisabled?: boolean;
  /** More controls beside Copy: feedback, regenerate, edit (MessageControls.tsx). */
  controls?: ReactNode;
}

/**
 * One message. The user's own text is shown as typed (plain text); replies are Markdown,
 * rendered safely. Only a live reply (the server is writing it now) shows a caret; a reply
 * that ended otherwise than complete says how: failed, stopped, or interrupted by a server
 * restart (with a Retry button). These come from the stored status, so they survive a reload.
 */
export const MessageItem = memo(function MessageItem({
  message,
  stopped = false,
  onRetry,
  retryDisabled = false,
  stepsDisplay = "collapsed",
  onAction,
  actionsDisabled = false,
  controls,
}: MessageItemProps) {
  const { t } = useI18n();
  if (message.role === "system") {
    return (
      <div className={`message message-system${message.status === "error" ? " message-error" : ""}`}>
        {message.status === "error" ? <AlertIcon /> : null}
        <p>{message.content}</p>
      </div>
    );
  }
  if (message.role === "user") {
    return (
      <article className={`message message-user${message.pending ? " message-pending" : ""}`} aria-label={t("message.you")}>
        <MessageFiles files={message.files} />
        {message.content !== "" ? <div className="bubble">{message.content}</div> : null}
        {message.pending ? null : <MessageMeta t={t} message={message} controls={controls} />}
      </article>
    );
  }
  const live = message.live === true;
  return (
    <article
      className={`message message-assistant${live ? " message-streaming" : ""}${message.status === "error" ? " message-error" : ""}`}
      aria-label={t("message.assistant")}
    >
      <span className="message-avatar" aria-hidden="true">
        <AppLogo size={28} />
      </span>
      <div className="message-body">
        <MessageSteps steps={message.steps} display={stepsDisplay} />
        {message.content === "" && live ? (
          <TypingDots />
        ) : message.content !== "" ? (
          <FallbackOnError fallback={<p className="markdown-loading">{message.content}</p>}>
            <Suspense fallback={<p className="markdown-loading">{message.content}</p>}>
              <Markdown text={message.content} />
            </Suspense>
          </FallbackOnError>
        ) : null}
        <MessageFiles files={message.files} />
        {message.ask ? <AskStatus ask={message.ask} /> : null}
        {onAction ? <ActionButtons actions={message.actions} onRun={onAction} disabled={actionsDisabled} /> : null}
        {live ? null : <EndBadge t={t} message={message} stopped={stopped} onRetry={onRetry} retryDisabled={retryDisabled} />}
        {live ? null : <MessageMeta t={t} message={message} controls={controls} />}
      </div>
    </article>
  );
});

/** How a reply that is not being written ended, when that is not simply "complete". */
function EndBadge({
  t,
  message,
  stopped,
  onRetry,
  retryDisabled,
}: Required<Pick<MessageItemProps, "stopped" | "retryDisabled">> & MessageItemProps & { t: Translate }) {
  switch (message.status) {
    case "error":
      return (
        <p className="message-status">
          <AlertIcon /> {t("message.failed")}
        </p>
      );
    case "interrupted":
      return (
        <div className="message-status-row">
          <p className="message-status message-status-warning">
            <AlertIcon /> {t("message.interrupted")}
          </p>
          {onRetry ? (
            <button type="button" className="button button-secondary button-small" onClick={onRetry} disabled={retryDisabled} title={t("message.retryTitle")}>
              <RetryIcon /> {t("message.retry")}
            </button>
          ) : null}
        </div>
      );
    case "stopped":
      return <p className="message-status message-status-muted">{t("message.stopped")}</p>;
    default:
      // "complete" from an older server, or "streaming" until the server confirms the stop.
      if (stopped) return <p className="message-status message-status-muted">{t("message.stopped")}</p>;
      // Otherwise "complete", or "streaming" in the database with nobody writing it (an older
      // server that crashed): no caret, no claim about how it ended.
      return null;
  }
}

/** Shown while a reply is awaited and nothing of it has arrived yet. */
export function TypingDots() {
  const { t } = useI18n();
  return (
    <span className="typing" role="status">
      <span className="typing-dot" aria-hidden="true" />
      <span className="typing-dot" aria-hidden="true" />
      <span className="typing-dot" aria-hidden="true" />
      <span className="visually-hidden">{t("message.typing")}</span>
    </span>
  );
}

/** Under a message: when it was sent, "Copy message" (its text as written, Markdown included), and the app's controls. */
function MessageMeta({ t, message, controls }: { t: Translate; message: ChatMessageView; controls?: ReactNode }) {
  const { copied, copy } = useCopy();
  const time = formatMessageTime(message.createdAt, t.locale);
  return (
    <div className="message-actions">
      {time !== "" ? (
        <time className="message-time" dateTime={message.createdAt} title={formatDateTime(message.createdAt, t.locale)}>
          {time}
        </time>
      ) : null}
      {message.content !== "" ? (
        <button
          type="button"
          className="icon-button icon-button-small"
          aria-label={copied ? t("message.copied") : t("message.copy")}
          title={t("message.copy")}
          onClick={() => void copy(message.content)}
        >
          {copied ? <CheckIcon /> : <CopyIcon />}
        </button>
      ) : null}
      {controls}
    </div>
  );
}
