import type { ThreadSummary } from "@parlor/react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useI18n } from "../i18n";
import { plainTitle } from "../lib/plain-title";
import { Link } from "../router/Link";
import { PencilIcon, TrashIcon } from "./icons";

export interface ThreadItemProps {
  thread: ThreadSummary;
  href: string;
  active: boolean;
  onRename(name: string): void;
  onDelete(): void;
}

/** One thread in the sidebar: a link, with rename (in place) and delete. */
export function ThreadItem({ thread, href, active, onRename, onDelete }: ThreadItemProps) {
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(thread.name);
  const inputRef = useRef<HTMLInputElement>(null);
  const renameButtonRef = useRef<HTMLButtonElement>(null);
  /** Blur follows Enter and Escape when the input goes away: finish once. */
  const finished = useRef(false);

  useEffect(() => {
    if (editing) {
      inputRef.current?.focus();
      inputRef.current?.select();
    }
  }, [editing]);

  function startEditing() {
    setName(thread.name);
    finished.current = false;
    setEditing(true);
  }

  function finish(save: boolean) {
    if (finished.current) return;
    finished.current = true;
    setEditing(false);
    const next = name.trim();
    if (save && next !== "" && next !== thread.name) onRename(next);
    // Back to the control that started the edit, for keyboard users.
    requestAnimationFrame(() => renameButtonRef.current?.focus());
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    finish(true);
  }

  if (editing) {
    return (
      <li className="thread-item thread-item-editing">
        <form onSubmit={submit} className="thread-rename">
          <label htmlFor={`rename-${thread.id}`} className="visually-hidden">
            {t("thread.name")}
          </label>
          <input
            id={`rename-${thread.id}`}
            ref={inputRef}
            value={name}
            maxLength={255}
            onChange={(event) => setName(event.target.value)}
            onBlur={() => finish(true)}
            onKeyDown={(event) => {
              if (event.key === "Escape") {
                event.preventDefault();
                event.stopPropagation();
                finish(false);
              }
            }}
          />
        </form>
      </li>
    );
  }

  return (
    <li className={`thread-item${active ? " thread-item-active" : ""}`}>
      <Link href={href} className="thread-link" aria-current={active ? "page" : undefined} title={plainTitle(thread.name)}>
        <span className="thread-name">{plainTitle(thread.name)}</span>
      </Link>
      <div className="thread-actions">
        <button
          ref={renameButtonRef}
          type="button"
          className="icon-button icon-button-small"
          aria-label={t("thread.rename")}
          title={t("thread.renameShort")}
          onClick={startEditing}
        >
          <PencilIcon />
        </button>
        <button type="button" className="icon-button icon-button-small" aria-label={t("thread.delete")} title={t("thread.deleteShort")} onClick={onDelete}>
          <TrashIcon />
        </button>
      </div>
    </li>
  );
}
