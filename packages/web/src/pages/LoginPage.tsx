import { ParlorApiError, useAuth, useParlorClient } from "@parlor/react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { AlertIcon, LogoMark } from "../components/icons";
import { describeError, takeOAuthErrorFromUrl } from "../lib/describe-error";
import { hasSignedOutOnPurpose } from "../lib/sign-out-intent";
import { ThemeToggle } from "../theme/ThemeToggle";
import "../styles/login.css";

export interface LoginPageProps {
  /** The session ended while the app was open (revoked, expired, signed out elsewhere). */
  sessionEnded: boolean;
}

/**
 * Sign-in with the methods `/auth/config` turns on: a password form, a button per OAuth
 * provider, and trusted-header login (tried once on load, unless the user just signed out).
 */
export function LoginPage({ sessionEnded }: LoginPageProps) {
  const client = useParlorClient();
  const { config, error: startError, login, loginWithProvider } = useAuth();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState<"password" | "header" | null>(null);
  const [error, setError] = useState<unknown>(takeOAuthErrorFromUrl);
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const triedHeader = useRef(false);

  // The first /auth/config or /auth/me failed for another reason than "not logged in".
  const unreachable = config === null && startError !== null;
  const showPassword = config === null || config.password;
  const providers = config?.oauth ?? [];
  const header = config?.header === true;

  async function signInWithHeader() {
    setPending("header");
    setError(null);
    try {
      await client.auth.loginWithHeader();
    } catch (failure) {
      setError(failure);
    } finally {
      setPending(null);
    }
  }

  useEffect(() => {
    if (!header || triedHeader.current || hasSignedOutOnPurpose()) return;
    triedHeader.current = true;
    void signInWithHeader();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, when the config says so
  }, [header]);

  // Never rejects: every failure ends up on the form.
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending !== null) return;
    if (username.trim() === "") return usernameRef.current?.focus();
    if (password === "") return passwordRef.current?.focus();
    setPending("password");
    setError(null);
    try {
      await login(username.trim(), password);
      // The app leaves this page as soon as the session is there.
    } catch (failure) {
      setError(failure);
      // A wrong password is retyped; after a network failure or a wait, the same one is retried.
      if (errorCode(failure) === "invalid_credentials") setPassword("");
      passwordRef.current?.focus();
    } finally {
      setPending(null);
    }
  }

  const shownError = error ?? (unreachable ? startError : null);
  /** Without a password form, the other methods are the main action. */
  const methodButtonClass = showPassword ? "button-secondary" : "button-primary";
  const noMethod = config !== null && !config.password && providers.length === 0 && !header;

  return (
    <div className="login-page">
      <div className="login-theme">
        <ThemeToggle />
      </div>
      <main className="login-card" aria-labelledby="login-title">
        <div className="login-brand">
          <LogoMark size={40} />
          <h1 id="login-title">Sign in to Parlor</h1>
        </div>

        {sessionEnded && shownError === null ? (
          <p className="notice notice-info" role="status">
            Your session has ended. Please sign in again.
          </p>
        ) : null}

        {shownError !== null ? (
          <div className="notice notice-error" role="alert" data-testid="login-error" data-code={errorCode(shownError)}>
            <AlertIcon />
            <span>{describeError(shownError)}</span>
          </div>
        ) : null}

        {showPassword ? (
          <form className="login-form" onSubmit={(event) => void submit(event)} noValidate>
            <div className="field">
              <label htmlFor="login-username">Username</label>
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
                aria-invalid={errorCode(error) === "invalid_credentials" || undefined}
              />
            </div>
            <div className="field">
              <label htmlFor="login-password">Password</label>
              <input
                id="login-password"
                ref={passwordRef}
                name="password"
                type="password"
                autoComplete="current-password"
                value={password}
                onChange={(event) => setPassword(event.target.value)}
                aria-invalid={errorCode(error) === "invalid_credentials" || undefined}
              />
            </div>
            <button type="submit" className="button button-primary button-block" disabled={pending !== null} aria-busy={pending === "password"}>
              {pending === "password" ? <span className="spinner" aria-hidden="true" /> : null}
              Sign in
            </button>
          </form>
        ) : null}

        {providers.length > 0 || header ? (
          <>
            {showPassword ? (
              <div className="divider" role="presentation">
                <span>or</span>
              </div>
            ) : null}
            <div className="login-providers">
              {providers.map((provider) => (
                <button key={provider.id} type="button" className={`button ${methodButtonClass} button-block`} onClick={() => loginWithProvider(provider.id)}>
                  Continue with {provider.name}
                </button>
              ))}
              {header ? (
                <button type="button" className={`button ${methodButtonClass} button-block`} onClick={() => void signInWithHeader()} disabled={pending !== null}>
                  {pending === "header" ? <span className="spinner" aria-hidden="true" /> : null}
                  Continue with single sign-on
                </button>
              ) : null}
            </div>
          </>
        ) : null}

        {noMethod ? <p className="notice notice-error">This server has no sign-in method turned on.</p> : null}
        {unreachable ? (
          <button type="button" className="button button-ghost button-block" onClick={() => window.location.reload()}>
            Try again
          </button>
        ) : null}
      </main>
      <p className="login-footer">Your session stays in a secure, HttpOnly cookie. Parlor never stores a token in the page.</p>
    </div>
  );
}

function errorCode(error: unknown): string | undefined {
  return error instanceof ParlorApiError ? error.code : undefined;
}
