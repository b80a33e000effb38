import { MoonIcon, SunIcon } from "../components/icons";
import { useI18n } from "../i18n";
import { useTheme } from "./use-theme";

/** A switch between light and dark; remembered in this browser. */
export function ThemeToggle({ className = "icon-button" }: { className?: string }) {
  const { theme, setTheme } = useTheme();
  const { t } = useI18n();
  const dark = theme === "dark";
  return (
    <button
      type="button"
      className={className}
      aria-label={t("theme.dark")}
      aria-pressed={dark}
      title={dark ? t("theme.toLight") : t("theme.toDark")}
      onClick={() => setTheme(dark ? "light" : "dark")}
    >
      {dark ? <MoonIcon /> : <SunIcon />}
    </button>
  );
}
