import type { AppInfo } from "@parlor/react";
import { lazy, Suspense, type ReactNode } from "react";
import { AppLogo } from "../app-face";
import { useI18n } from "../i18n";
import "../styles/chat-options.css";
import { FallbackOnError } from "./FallbackOnError";

const Markdown = lazy(() => import("./Markdown").then((module) => ({ default: module.Markdown })));

export interface ChatStartProps {
  /** `GET /api/app`; `null` while loading (or when it failed): the default greeting shows. */
  info: AppInfo | null;
  /** The greeting without an app welcome. */
  fallback: ReactNode;
  /** The profile chosen for this new chat. */
  profile: string | null;
  /** Absent once the chat has a thread: its profile is fixed. */
  onProfile?: ((profile: string) => void) | undefined;
  /** A starter was clicked: send its message. */
  onStarter(message: string): void;
  /** A reply is being awaited (a starter was just sent): the starters wait. */
  disabled: boolean;
}

/**
 * An empty chat: the app's welcome (Markdown) or the default greeting, the profiles to start
 * with, and the starter prompts, a click on one sending its message.
 */
export function ChatStart({ info, fallback, profile, onProfile, onStarter, disabled }: ChatStartProps) {
  const profiles = onProfile ? (info?.profiles ?? []) : [];
  const starters = info?.starters ?? [];
  const { t } = useI18n();
  return (
    <div className="welcome">
      <AppLogo size={48} />
      {info?.welcome ? (
        <div className="welcome-text">
          <FallbackOnError fallback={<p>{info.welcome}</p>}>
            <Suspense fallback={<p>{info.welcome}</p>}>
              <Markdown text={info.welcome} />
            </Suspense>
          </FallbackOnError>
        </div>
      ) : (
        fallback
      )}
      {profiles.length > 0 ? (
        <div className="profile-picker" role="radiogroup" aria-label={t("chat.profiles")}>
          {profiles.map((entry) => {
            const checked = profile === entry.id;
            return (
              <button key={entry.id} type="button" role="radio" aria-checked={checked} className="profile-option" onClick={() => onProfile?.(entry.id)}>
                <span className="profile-name">{entry.name}</span>
                {entry.description !== "" ? <span className="profile-description">{entry.description}</span> : null}
              </button>
            );
          })}
        </div>
      ) : null}
      {starters.length > 0 ? (
        <ul className="starters" aria-label={t("chat.starters")}>
          {starters.map((starter) => (
            <li key={starter.label}>
              <button type="button" className="starter" onClick={() => onStarter(starter.message)} disabled={disabled} title={starter.message}>
                {starter.label}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
