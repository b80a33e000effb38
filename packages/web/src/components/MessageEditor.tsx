import { useId, useState, type FormEvent, type KeyboardEvent } from "react";
import { useI18n } from "../i18n";
import "../styles/chat-options.css";

export interface MessageEditorProps {
  initial: string;
  /** Sends the new text (`useChat().edit`); the editor closes when it resolves. */
  onSave(content: string): Promise<unknown>;
  onCancel(): void;
}

/** The user's last message, open for editing in place: Enter saves, Escape cancels. */
export function MessageEditor({ initial, onSave, onCancel }: MessageEditorProps) {
  const [text, setText] = useState(initial);
  const [saving, setSaving] = useState(false);
  const id = useId();
  const { t } = useI18n();

  async function save(event?: FormEvent) {
    event?.preventDefault();
    if (text.trim() === "" || saving) return;
    setSaving(true);
    try {
      await onSave(text);
    } catch {
      // Shown from the chat's error; the editor stays open with the text.
      setSaving(false);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Escape") onCancel();
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void save();
    }
  }

  return (
    <form className="message message-user message-editor" onSubmit={(event) => void save(event)}>
      <label htmlFor={id} className="visually-hidden">
        {t("editor.label")}
      </label>
      <textarea id={id} rows={3} value={text} onChange={(event) => setText(event.target.value)} onKeyDown={onKeyDown} autoFocus disabled={saving} />
      <div className="message-editor-actions">
        <button type="button" className="button button-ghost button-small" onClick={onCancel} disabled={saving}>
          {t("editor.cancel")}
        </button>
        <button type="submit" className="button button-primary button-small" disabled={saving || text.trim() === ""}>
          {t("editor.save")}
        </button>
      </div>
    </form>
  );
}
