import { useSyncExternalStore } from "react";
import { currentTheme, setThemePreference, subscribeToTheme, type Theme } from "./theme-store";

/**
 * The theme in effect and a way to pick one.
 *
 * @example
 * const { theme, setTheme } = useTheme();
 * <button onClick={() => setTheme(theme === "dark" ? "light" : "dark")}>Toggle</button>
 */
export function useTheme(): { theme: Theme; setTheme: (theme: Theme) => void } {
  const theme = useSyncExternalStore(subscribeToTheme, currentTheme, () => "light" as const);
  return { theme, setTheme: setThemePreference };
}
