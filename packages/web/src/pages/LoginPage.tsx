import { useAuth } from "@parlor/react";
import { AppLogo, useAppFace } from "../app-face";
import { useI18n } from "../i18n";
import { LoginNotice } from "../components/login/LoginNotice";
import { OtherSignInMethods } from "../components/login/OtherSignInMethods";
import { PasswordForm } from "../components/login/PasswordForm";
import { useSignIn } from "../lib/use-sign-in";
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
  const { config, error: startError, loginWithProvider } = useAuth();
  const { t } = useI18n();
  const face = useAppFace();
  const showPassword = config === null || config.password;
  const providers = config?.oauth ?? [];
  const header = config?.header === true;
  const signIn = useSignIn({ header });

  // The first /auth/config or /auth/me failed for another reason than "not logged in".
  const unreachable = config === null && startError !== null;
  const shownError = signIn.error ?? (unreachable ? startError : null);
  const noMethod = config !== null && !config.password && providers.length === 0 && !header;

  return (
    <div className="login-page">
      <div className="login-theme">
        <ThemeToggle />
      </div>
      <main className="login-card" aria-labelledby="login-title">
        <div className="login-brand">
          <AppLogo size={40} />
          <h1 id="login-title">{t("login.title", { app: face.name })}</h1>
        </div>

        <LoginNotice sessionEnded={sessionEnded} error={shownError} />

        {showPassword ? <PasswordForm pending={signIn.pending} error={signIn.error} onSubmit={signIn.withPassword} /> : null}

        {providers.length > 0 || header ? (
          <>
            {showPassword ? (
              <div className="divider" role="presentation">
                <span>{t("login.or")}</span>
              </div>
            ) : null}
            <OtherSignInMethods
              providers={providers}
              header={header}
              primary={!showPassword}
              pending={signIn.pending}
              onProvider={loginWithProvider}
              onHeader={() => void signIn.withHeader()}
            />
          </>
        ) : null}

        {noMethod ? <p className="notice notice-error">{t("login.noMethod")}</p> : null}
        {unreachable ? (
          <button type="button" className="button button-ghost button-block" onClick={() => window.location.reload()}>
            {t("login.tryAgain")}
          </button>
        ) : null}
      </main>
      <p className="login-footer">{t("login.footer", { app: face.name })}</p>
    </div>
  );
}
