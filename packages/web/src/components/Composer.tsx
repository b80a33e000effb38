import type { ChatStatus } from "@parlor/react";
import { useImperativeHandle, useLayoutEffect, useRef, type ClipboardEvent, type KeyboardEvent, type Ref } from "react";
import { useI18n } from "../i18n";
import { describeError } from "../lib/describe-error";
import { formatBytes } from "../lib/format";
import { KeyHint } from "./KeyHint";
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
  /** The app's name, for the placeholder ("Message Acme…"). */
  appName: string;
  /** The server's upload limit in bytes, stated under the box and in a too-large file's error; 0: unknown. */
  maxUploadBytes: number;
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
  const { appName, maxUploadBytes } = props;
  const { t } = useI18n();
  const describe = (error: unknown) => describeError(error, t, { maxUploadBytes });
  const failed = attachments.filter((item) => item.status === "failed");
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
        <ul className="attachments" aria-label={t("composer.attachments")}>
          {attachments.map((item) => (
            <li key={item.key} className={`chip chip-${item.status}`}>
              {item.previewUrl ? <img className="chip-thumb" src={item.previewUrl} alt="" /> : <FileIcon />}
              <span className="chip-text">
                <span className="chip-name" title={item.name}>
                  {item.name}
                </span>
                <span className="chip-meta">
                  {/* A failure's text is in the alert below, with the file's name. */}
                  {item.status === "uploading" ? t("composer.uploading") : formatBytes(item.size, t.locale)}
                </span>
              </span>
              {item.status === "failed" ? <AlertIcon className="icon chip-alert" /> : null}
              <button type="button" className="chip-remove" aria-label={t("composer.remove", { name: item.name })} onClick={() => onRemoveAttachment(item.key)}>
                <CloseIcon />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {/* Why a file failed, with its name. Always in the page, so a screen reader announces a
          failure as it is written into it. */}
      <div className="composer-errors" role="alert">
        {failed.map((item) => (
          <p key={item.key}>
            {item.name}: {describe(item.error)}
          </p>
        ))}
      </div>
      {isUploading ? (
        <progress className="upload-progress" max={1} value={uploadProgress} aria-label={t("composer.progress")}>
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
          aria-label={t("composer.attach")}
          title={t("composer.attach")}
          onClick={() => fileInputRef.current?.click()}
          disabled={disabled}
        >
          <PaperclipIcon />
        </button>
        <label htmlFor="composer-input" className="visually-hidden">
          {t("composer.message")}
        </label>
        <textarea
          id="composer-input"
          ref={textareaRef}
          className="composer-input"
          rows={1}
          placeholder={placeholder ?? t("composer.placeholder", { app: appName })}
          value={value}
          disabled={disabled}
          onChange={(event) => onChange(event.target.value)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          aria-describedby="composer-hint"
        />
        {streaming ? (
          <button type="button" className="send-button send-button-stop" aria-label={t("composer.stop")} title={t("composer.stop")} onClick={onStop}>
            <StopIcon />
          </button>
        ) : (
          <button type="submit" className="send-button" aria-label={t("composer.send")} title={t("composer.sendTitle")} disabled={!canSend}>
            <SendIcon />
          </button>
        )}
      </div>
      <p id="composer-hint" className="composer-hint">
        <KeyHint text={t("composer.hint")} />
        {maxUploadBytes > 0 ? (
          <>
            {" · "}
            {t("composer.limit", { size: formatBytes(maxUploadBytes, t.locale) })}
          </>
        ) : null}
      </p>
    </form>
  );
}
