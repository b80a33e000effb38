import { MoonIcon, SunIcon } from "../components/icons";
import { useTheme } from "./use-theme";

/** A switch between light and dark; remembered in this browser. */
export function ThemeToggle({ className = "icon-button" }: { className?: string }) {
  const { theme, setTheme } = useTheme();
  const dark = theme === "dark";
  return (
    <button
      type="button"
      className={className}
      aria-label="Dark theme"
      aria-pressed={dark}
      title={dark ? "Switch to light theme" : "Switch to dark theme"}
      onClick={() => setTheme(dark ? "light" : "dark")}
    >
      {dark ? <MoonIcon /> : <SunIcon />}
    </button>
  );
}
