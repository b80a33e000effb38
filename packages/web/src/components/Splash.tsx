import { AppLogo } from "../app-face";
import { useI18n } from "../i18n";

/** Shown while the session is being checked (a moment, once per page load). */
export function Splash() {
  const { t } = useI18n();
  return (
    <div className="splash" aria-busy="true">
      <AppLogo size={40} />
      <span className="visually-hidden">{t("app.loading")}</span>
    </div>
  );
}
