import type { ChatSetting, ChatSettingValue, ChatSettingValues, UseChatResult } from "@parlor/react";
import { useEffect, useId, useState, type ReactNode } from "react";
import { useI18n } from "../i18n";
import "../styles/chat-options.css";
import { CloseIcon, SettingsIcon } from "./icons";

/** The "Chat settings" button (top right of the chat) and the panel it opens. */
export function ChatSettingsControl({ settings, chat }: { settings: readonly ChatSetting[]; chat: UseChatResult }) {
  const [open, setOpen] = useState(false);
  const { t } = useI18n();
  return (
    <>
      <div className="chat-toolbar">
        <button
          type="button"
          className="icon-button"
          aria-label={t("settings.open")}
          title={t("settings.open")}
          aria-expanded={open}
          onClick={() => setOpen((was) => !was)}
        >
          <SettingsIcon />
        </button>
      </div>
      {open ? (
        <ChatSettingsPanel
          settings={settings}
          values={chat.settings}
          isNewChat={chat.threadId === null}
          onChange={chat.updateSettings}
          onClose={() => setOpen(false)}
        />
      ) : null}
    </>
  );
}

export interface ChatSettingsPanelProps {
  settings: readonly ChatSetting[];
  /** The thread's values (all of them), or a new chat's changes so far; the rest are defaults. */
  values: ChatSettingValues;
  /** No thread yet: the values go with the first message. */
  isNewChat: boolean;
  /** Stores a change (`useChat().updateSettings`); rejects when the server refused it. */
  onChange(changes: ChatSettingValues): Promise<unknown>;
  onClose(): void;
}

/** The chat's settings, one control per declared setting; each change is saved at once. */
export function ChatSettingsPanel({ settings, values, isNewChat, onChange, onClose }: ChatSettingsPanelProps) {
  const [failed, setFailed] = useState<string | null>(null);
  const titleId = useId();
  const { t } = useI18n();

  useEffect(() => {
    const closeOnEscape = (event: KeyboardEvent) => {
      if (event.key === "Escape") onClose();
    };
    window.addEventListener("keydown", closeOnEscape);
    return () => window.removeEventListener("keydown", closeOnEscape);
  }, [onClose]);

  function change(id: string, value: ChatSettingValue) {
    setFailed(null);
    onChange({ [id]: value }).catch(() => setFailed(id));
  }

  return (
    <aside className="settings-panel" aria-labelledby={titleId}>
      <div className="settings-panel-header">
        <h2 id={titleId}>{t("settings.title")}</h2>
        <button type="button" className="icon-button icon-button-small" aria-label={t("settings.close")} onClick={onClose}>
          <CloseIcon />
        </button>
      </div>
      {isNewChat ? <p className="settings-hint">{t("settings.newChatHint")}</p> : null}
      <div className="settings-fields">
        {settings.map((setting) => (
          <SettingField key={setting.id} setting={setting} value={values[setting.id] ?? setting.default} onChange={(value) => change(setting.id, value)} />
        ))}
      </div>
      <p className="settings-error" role="alert">
        {failed !== null ? t("settings.failed", { setting: settings.find((s) => s.id === failed)?.label ?? failed }) : ""}
      </p>
    </aside>
  );
}

function SettingField({ setting, value, onChange }: { setting: ChatSetting; value: ChatSettingValue; onChange(value: ChatSettingValue): void }) {
  const id = useId();
  const description = setting.description ? <p className="setting-description">{setting.description}</p> : null;
  switch (setting.type) {
    case "select":
      return (
        <div className="setting">
          <label htmlFor={id}>{setting.label}</label>
          <select id={id} value={String(value)} onChange={(event) => onChange(event.target.value)}>
            {setting.options.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          {description}
        </div>
      );
    case "switch":
      return (
        <div className="setting setting-switch">
          <input id={id} type="checkbox" role="switch" checked={value === true} onChange={(event) => onChange(event.target.checked)} />
          <label htmlFor={id}>{setting.label}</label>
          {description}
        </div>
      );
    case "slider":
      return (
        <SliderField id={id} setting={setting} value={typeof value === "number" ? value : setting.default} onChange={onChange} description={description} />
      );
    case "text":
      return <TextField id={id} setting={setting} value={typeof value === "string" ? value : setting.default} onChange={onChange} description={description} />;
  }
}

type FieldProps<S, V> = { id: string; setting: S; value: V; onChange(value: V): void; description: ReactNode };

/** Saved when the user lets go (pointer up, a key, leaving the field), not at every step of a drag. */
function SliderField({ id, setting, value, onChange, description }: FieldProps<Extract<ChatSetting, { type: "slider" }>, number>) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const commit = () => {
    if (draft !== value) onChange(draft);
  };
  return (
    <div className="setting">
      <label htmlFor={id}>
        {setting.label} <output htmlFor={id}>{draft}</output>
      </label>
      <input
        id={id}
        type="range"
        min={setting.min}
        max={setting.max}
        step={setting.step}
        value={draft}
        onChange={(event) => setDraft(Number(event.target.value))}
        onPointerUp={commit}
        onKeyUp={commit}
        onBlur={commit}
      />
      {description}
    </div>
  );
}

/** Saved on leaving the field or pressing Enter. */
function TextField({ id, setting, value, onChange, description }: FieldProps<Extract<ChatSetting, { type: "text" }>, string>) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const commit = () => {
    if (draft !== value) onChange(draft);
  };
  return (
    <div className="setting">
      <label htmlFor={id}>{setting.label}</label>
      <input
        id={id}
        type="text"
        value={draft}
        maxLength={setting.maxLength}
        placeholder={setting.placeholder}
        onChange={(event) => setDraft(event.target.value)}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === "Enter") commit();
        }}
      />
      {description}
    </div>
  );
}
