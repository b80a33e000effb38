import { useRef, useState, type FormEvent } from "react";
import { useI18n } from "../../i18n";
import { errorCode } from "../../lib/describe-error";
import type { ActionResult } from "../../lib/use-action";
import type { SignInMethod } from "../../lib/use-sign-in";

export interface PasswordFormProps {
  /** Sign-in in flight, by any method: the form waits for it. */
  pending: SignInMethod | null;
  /** The latest sign-in failure: a wrong password marks both fields invalid. */
  error: unknown;
  onSubmit(username: string, password: string): Promise<ActionResult<unknown>>;
}

/** Username and password. An empty field gets the focus instead of a request. */
export function PasswordForm({ pending, error, onSubmit }: PasswordFormProps) {
  const { t } = useI18n();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const invalid = errorCode(error) === "invalid_credentials" || undefined;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending !== null) return;
    if (username.trim() === "") return usernameRef.current?.focus();
    if (password === "") return passwordRef.current?.focus();
    const result = await onSubmit(username.trim(), password);
    // On success the app leaves this page as soon as the session is there.
    if (result.ok) return;
    // A wrong password is retyped; after a network failure or a wait, the same one is retried.
    if (errorCode(result.error) === "invalid_credentials") setPassword("");
    passwordRef.current?.focus();
  }

  // submit never rejects: onSubmit reports failures in its result.
  return (
    <form className="login-form" onSubmit={(event) => void submit(event)} noValidate>
      <div className="field">
        <label htmlFor="login-username">{t("login.username")}</label>
        <input
          id="login-username"
          ref={usernameRef}
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          autoFocus
          value={username}
          onChange={(event) => setUsername(event.target.value)}
          aria-invalid={invalid}
        />
      </div>
      <div className="field">
        <label htmlFor="login-password">{t("login.password")}</label>
        <input
          id="login-password"
          ref={passwordRef}
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          aria-invalid={invalid}
        />
      </div>
      <button type="submit" className="button button-primary button-block" disabled={pending !== null} aria-busy={pending === "password"}>
        {pending === "password" ? <span className="spinner" aria-hidden="true" /> : null}
        {t("login.submit")}
      </button>
    </form>
  );
}
