import { useI18n } from "../../i18n";
import type { SignInMethod } from "../../lib/use-sign-in";

export interface OtherSignInMethodsProps {
  /** The server's OAuth providers, one button each. */
  providers: ReadonlyArray<{ id: string; name: string }>;
  /** The server offers single sign-on through a trusted header. */
  header: boolean;
  /** Without a password form, these buttons are the main action and look like it. */
  primary: boolean;
  pending: SignInMethod | null;
  onProvider(id: string): void;
  onHeader(): void;
}

/** The sign-in methods besides the password: a button per OAuth provider, and single sign-on. */
export function OtherSignInMethods({ providers, header, primary, pending, onProvider, onHeader }: OtherSignInMethodsProps) {
  const { t } = useI18n();
  const className = `button ${primary ? "button-primary" : "button-secondary"} button-block`;
  return (
    <div className="login-providers">
      {providers.map((provider) => (
        <button key={provider.id} type="button" className={className} onClick={() => onProvider(provider.id)}>
          {t("login.withProvider", { provider: provider.name })}
        </button>
      ))}
      {header ? (
        <button type="button" className={className} onClick={onHeader} disabled={pending !== null}>
          {pending === "header" ? <span className="spinner" aria-hidden="true" /> : null}
          {t("login.withSso")}
        </button>
      ) : null}
    </div>
  );
}
