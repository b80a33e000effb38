import { describeError, errorCode } from "../../lib/describe-error";
import { useI18n } from "../../i18n";
import { AlertIcon } from "../icons";

export interface LoginNoticeProps {
  /** The session ended while the app was open. */
  sessionEnded: boolean;
  /** The failure to show, or `null`. */
  error: unknown;
}

/**
 * Above the sign-in methods: why sign-in failed (chosen by the error's `code`), or else that
 * the session has ended. The error is an alert, so a screen reader reads it out at once.
 */
export function LoginNotice({ sessionEnded, error }: LoginNoticeProps) {
  const { t } = useI18n();
  if (error !== null) {
    return (
      <div className="notice notice-error" role="alert" data-testid="login-error" data-code={errorCode(error)}>
        <AlertIcon />
        <span>{describeError(error, t)}</span>
      </div>
    );
  }
  if (sessionEnded) {
    return (
      <p className="notice notice-info" role="status">
        {t("login.sessionEnded")}
      </p>
    );
  }
  return null;
}
