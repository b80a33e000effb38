import type { ChatStatus } from "@parlor/react";
import { useImperativeHandle, useLayoutEffect, useRef, type ClipboardEvent, type KeyboardEvent, type Ref } from "react";
import { describeError } from "../lib/describe-error";
import { formatBytes } from "../lib/format";
import type { Attachment } from "../lib/use-attachments";
import { AlertIcon, CloseIcon, FileIcon, PaperclipIcon, SendIcon, StopIcon } from "./icons";
import "../styles/composer.css";

export interface ComposerProps {
  value: string;
  onChange(value: string): void;
  onSend(): void;
  onStop(): void;
  status: ChatStatus;
  attachments: readonly Attachment[];
  uploadProgress: number;
  isUploading: boolean;
  onAddFiles(files: File[]): void;
  onRemoveAttachment(key: string): void;
  disabled?: boolean;
  /** The message box's placeholder (a question waiting for its answer changes it). */
  placeholder?: string;
  /** Types the file picker offers (`image/*,application/pdf`), for a file question. */
  accept?: string;
  /** Lets the page focus the message box (after a drop, on a new thread). */
  ref?: Ref<ComposerHandle>;
}

export interface ComposerHandle {
  focus(): void;
}

/** Lines the message box grows to before it scrolls. */
const MAX_HEIGHT_PX = 240;

/**
 * The message box: Enter sends, Shift+Enter starts a new line; "Attach file" (or pasting,
 * or dropping on the chat) adds files, shown as chips with a progress bar while they upload.
 * While a reply is being written, "Stop" takes the place of "Send".
 */
export function Composer(props: ComposerProps) {
  const {
    value,
    onChange,
    onSend,
    onStop,
    status,
    attachments,
    uploadProgress,
    isUploading,
    onAddFiles,
    onRemoveAttachment,
    disabled = false,
    placeholder,
    accept,
    ref,
  } = props;
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const fileInputRef = useRef<HTMLInputElement>(null);
  useImperativeHandle(ref, () => ({ focus: () => textareaRef.current?.focus() }), []);

  // Grow with the text. Set through the CSSOM, which the CSP's style-src allows (unlike a
  // style attribute in markup).
  useLayoutEffect(() => {
    const textarea = textareaRef.current;
    if (textarea === null) return;
    textarea.style.height = "auto";
    textarea.style.height = `${Math.min(textarea.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [value]);

  const streaming = status === "streaming";
  const hasContent = value.trim() !== "" || attachments.some((item) => item.status === "ready");
  const canSend = !disabled && status === "idle" && !isUploading && hasContent;

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    if (canSend) onSend();
  }

  function onPaste(event: ClipboardEvent<HTMLTextAreaElement>) {
    const files = [...event.clipboardData.files];
    if (files.length === 0) return;
    event.preventDefault();
    onAddFiles(files);
  }

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        if (canSend) onSend();
      }}
    >
      {attachments.length > 0 ? (
        <ul className="attachments" aria-label="Attachments">
          {attachments.map((item) => (
            <li key={item.key} className={`chip chip-${item.status}`}>
              {item.previewUrl ? <img className="chip-thumb" src={item.previewUrl} alt="" /> : <FileIcon />}
              <span className="chip-text">
                <span className="chip-name" title={item.name}>
                  {item.name}
                </span>
                <span className="chip-meta">
                  {item.status === "uploading" ? "Uploading…" : item.status === "failed" ? describeError(item.error) : formatBytes(item.size)}
                </span>
              </span>
              {item.status === "failed" ? <AlertIcon className="icon chip-alert" /> : null}
              <button type="button" className="chip-remove" aria-label={`Remove ${item.name}`} onClick={() => onRemoveAttachment(item.key)}>
                <CloseIcon />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {isUploading ? (
        <progress className="upload-progress" max={1} value={uploadProgress} aria-label="Upload progress">
          {Math.round(uploadProgress * 100)}%
        </progress>
      ) : null}

      <div className="composer-row">
        <input
          ref={fileInputRef}
          type="file"
          multiple
          hidden
          accept={accept}
          tabIndex={-1}
          data-testid="file-input"
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            event.target.value = "";
            if (files.length > 0) onAddFiles(files);
          }}
        />
        <button
          type="button"
          className="icon-button composer-attach"
          aria-label="Attach file"
          title="Attach file"
          onClick={() => fileInputRef.current?.click()}
          disabled={disabled}
        >
          <PaperclipIcon />
        </button>
        <label htmlFor="composer-input" className="visually-hidden">
          Message
        </label>
        <textarea
          id="composer-input"
          ref={textareaRef}
          className="composer-input"
          rows={1}
          placeholder={placeholder ?? "Message Parlor…"}
          value={value}
          disabled={disabled}
          onChange={(event) => onChange(event.target.value)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          aria-describedby="composer-hint"
        />
        {streaming ? (
          <button type="button" className="send-button send-button-stop" aria-label="Stop" title="Stop" onClick={onStop}>
            <StopIcon />
          </button>
        ) : (
          <button type="submit" className="send-button" aria-label="Send" title="Send (Enter)" disabled={!canSend}>
            <SendIcon />
          </button>
        )}
      </div>
      <p id="composer-hint" className="composer-hint">
        <kbd>Enter</kbd> to send, <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line
      </p>
    </form>
  );
}
