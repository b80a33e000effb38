import type { ChatMessageView } from "@parlor/react";
import { memo, useState, lazy, Suspense } from "react";
import { FileView } from "./FileView";
import { AlertIcon, CheckIcon, CopyIcon, LogoMark } from "./icons";

/** The Markdown renderer is most of the bundle: loaded with the first reply, not the login page. */
const Markdown = lazy(() => import("./Markdown").then((module) => ({ default: module.Markdown })));

/**
 * One message. The user's own text is shown as typed (plain text); replies are Markdown,
 * rendered safely. A reply being written shows a caret; a failed one is marked.
 */
export const MessageItem = memo(function MessageItem({ message, stopped = false }: { message: ChatMessageView; stopped?: boolean }) {
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
        {message.files.length > 0 ? (
          <div className="message-files">
            {message.files.map((file) => (
              <FileView key={file.id} file={file} />
            ))}
          </div>
        ) : null}
        {message.content !== "" ? <div className="bubble">{message.content}</div> : null}
      </article>
    );
  }
  const streaming = message.status === "streaming";
  return (
    <article
      className={`message message-assistant${streaming ? " message-streaming" : ""}${message.status === "error" ? " message-error" : ""}`}
      aria-label="Assistant"
    >
      <span className="message-avatar" aria-hidden="true">
        <LogoMark size={28} />
      </span>
      <div className="message-body">
        {message.content === "" && streaming ? (
          <TypingDots />
        ) : (
          <Suspense fallback={<p className="markdown-loading">{message.content}</p>}>
            <Markdown text={message.content} />
          </Suspense>
        )}
        {message.files.length > 0 ? (
          <div className="message-files">
            {message.files.map((file) => (
              <FileView key={file.id} file={file} />
            ))}
          </div>
        ) : null}
        {message.status === "error" ? (
          <p className="message-status">
            <AlertIcon /> This reply was interrupted.
          </p>
        ) : null}
        {stopped && !streaming && message.status !== "error" ? <p className="message-status message-status-muted">Stopped</p> : null}
        {!streaming && message.content !== "" ? <CopyButton text={message.content} /> : null}
      </div>
    </article>
  );
});

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
    <div className="message-actions">
      <button type="button" className="icon-button icon-button-small" aria-label={copied ? "Copied" : "Copy reply"} title="Copy" onClick={() => void copy()}>
        {copied ? <CheckIcon /> : <CopyIcon />}
      </button>
    </div>
  );
}
