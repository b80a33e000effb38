import type { ChatMessageView } from "@parlor/react";
import { memo, useState, lazy, Suspense, type ReactNode } from "react";
import { FallbackOnError } from "./FallbackOnError";
import { AlertIcon, CheckIcon, CopyIcon, LogoMark, RetryIcon } from "./icons";
import { MessageFiles } from "./MessageFiles";

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
  /** More controls beside Copy: feedback, regenerate, edit (MessageControls.tsx). */
  actions?: ReactNode;
}

/**
 * One message. The user's own text is shown as typed (plain text); replies are Markdown,
 * rendered safely. Only a live reply (the server is writing it now) shows a caret; a reply
 * that ended otherwise than complete says how: failed, stopped, or interrupted by a server
 * restart (with a Retry button). These come from the stored status, so they survive a reload.
 */
export const MessageItem = memo(function MessageItem({ message, stopped = false, onRetry, retryDisabled = false, actions }: MessageItemProps) {
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
      <article className={`message message-user${message.pending ? " message-pending" : ""}`} aria-label="You">
        <MessageFiles files={message.files} />
        {message.content !== "" ? <div className="bubble">{message.content}</div> : null}
        {actions ? <div className="message-actions">{actions}</div> : null}
      </article>
    );
  }
  const live = message.live === true;
  return (
    <article
      className={`message message-assistant${live ? " message-streaming" : ""}${message.status === "error" ? " message-error" : ""}`}
      aria-label="Assistant"
    >
      <span className="message-avatar" aria-hidden="true">
        <LogoMark size={28} />
      </span>
      <div className="message-body">
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
        {live ? null : <EndBadge message={message} stopped={stopped} onRetry={onRetry} retryDisabled={retryDisabled} />}
        {!live && (message.content !== "" || actions) ? (
          <div className="message-actions">
            {message.content !== "" ? <CopyButton text={message.content} /> : null}
            {actions}
          </div>
        ) : null}
      </div>
    </article>
  );
});

/** How a reply that is not being written ended, when that is not simply "complete". */
function EndBadge({ message, stopped, onRetry, retryDisabled }: Required<Pick<MessageItemProps, "stopped" | "retryDisabled">> & MessageItemProps) {
  switch (message.status) {
    case "error":
      return (
        <p className="message-status">
          <AlertIcon /> This reply failed.
        </p>
      );
    case "interrupted":
      return (
        <div className="message-status-row">
          <p className="message-status message-status-warning">
            <AlertIcon /> Interrupted — the server restarted before this reply finished.
          </p>
          {onRetry ? (
            <button type="button" className="button button-secondary button-small" onClick={onRetry} disabled={retryDisabled} title="Send your message again">
              <RetryIcon /> Retry
            </button>
          ) : null}
        </div>
      );
    case "stopped":
      return <p className="message-status message-status-muted">Stopped</p>;
    default:
      // "complete" from an older server, or "streaming" until the server confirms the stop.
      if (stopped) return <p className="message-status message-status-muted">Stopped</p>;
      // Otherwise "complete", or "streaming" in the database with nobody writing it (an older
      // server that crashed): no caret, no claim about how it ended.
      return null;
  }
}

/** Shown while a reply is awaited and nothing of it has arrived yet. */
export function TypingDots() {
  return (
    <span className="typing" role="status">
      <span className="typing-dot" aria-hidden="true" />
      <span className="typing-dot" aria-hidden="true" />
      <span className="typing-dot" aria-hidden="true" />
      <span className="visually-hidden">Assistant is typing…</span>
    </span>
  );
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // Clipboard refused (permissions): nothing to do.
    }
  }
  return (
    <button type="button" className="icon-button icon-button-small" aria-label={copied ? "Copied" : "Copy reply"} title="Copy" onClick={() => void copy()}>
      {copied ? <CheckIcon /> : <CopyIcon />}
    </button>
  );
}
