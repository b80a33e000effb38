import { useAuth } from "@parlor/react";
import { useEffect, useRef, useState } from "react";
import { LOCALE_NAMES, LOCALES, useI18n } from "../i18n";
import { describeError } from "../lib/describe-error";
import { signOutOnPurpose } from "../lib/sign-out-intent";
import { useAction } from "../lib/use-action";
import { Link } from "../router/Link";
import { DevicesIcon, LogOutIcon } from "./icons";
import "../styles/menu.css";

/**
 * The "Account" button and its panel: who is signed in, the sessions page, sign out.
 * A disclosure (not an ARIA menu), so the link stays a link and the button a button.
 */
export function AccountMenu() {
  const { user, logout } = useAuth();
  const { t, locale, setLocale } = useI18n();
  const [open, setOpen] = useState(false);
  const signOut = useAction(() => signOutOnPurpose(logout));
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const closeOutside = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    const closeOnEscape = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener("pointerdown", closeOutside);
    document.addEventListener("keydown", closeOnEscape);
    return () => {
      document.removeEventListener("pointerdown", closeOutside);
      document.removeEventListener("keydown", closeOnEscape);
    };
  }, [open]);

  const name = user?.displayName || user?.identifier || "";
  return (
    <div className="account" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="avatar-button"
        aria-label={t("account.button")}
        aria-expanded={open}
        aria-controls="account-panel"
        title={name}
        onClick={() => setOpen((value) => !value)}
      >
        <span className="avatar" aria-hidden="true">
          {initials(name)}
        </span>
      </button>
      <div id="account-panel" className="popover account-panel" hidden={!open}>
        <div className="account-who">
          <span className="avatar avatar-large" aria-hidden="true">
            {initials(name)}
          </span>
          <div className="account-names">
            <span className="account-label">{t("account.signedInAs")}</span>
            <span className="account-name">{name}</span>
            {user?.displayName && user.displayName !== user.identifier ? <span className="account-id">{user.identifier}</span> : null}
          </div>
        </div>
        <div className="popover-separator" />
        <Link href="/sessions" className="popover-item" onClick={() => setOpen(false)}>
          <DevicesIcon />
          {t("account.sessions")}
        </Link>
        <button type="button" className="popover-item" onClick={() => void signOut.run()}>
          <LogOutIcon />
          {t("account.signOut")}
        </button>
        <div className="popover-separator" />
        {/* The language of every label; remembered in this browser (i18n/locale-store.ts). */}
        <label className="popover-field">
          <span>{t("account.language")}</span>
          <select value={locale} onChange={(event) => setLocale(LOCALES.find((option) => option === event.target.value) ?? locale)}>
            {LOCALES.map((option) => (
              <option key={option} value={option} lang={option}>
                {LOCALE_NAMES[option]}
              </option>
            ))}
          </select>
        </label>
        {signOut.error !== null ? (
          <p className="popover-error" role="alert">
            {describeError(signOut.error, t)}
          </p>
        ) : null}
      </div>
    </div>
  );
}

function initials(name: string): string {
  const parts = name
    .trim()
    .split(/[\s._-]+/)
    .filter(Boolean);
  const letters = parts.length > 1 ? parts[0]![0]! + parts[1]![0]! : (parts[0]?.slice(0, 1) ?? "?");
  return letters.toUpperCase();
}
