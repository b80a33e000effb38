/** What the user picked; `system` follows `prefers-color-scheme`. */
export type ThemePreference = "system" | "light" | "dark";
export type Theme = "light" | "dark";

/** A display preference only; never anything secret. `public/theme-init.js` reads it too. */
export const THEME_STORAGE_KEY = "parlor-theme";

const listeners = new Set<() => void>();
const darkQuery = typeof window !== "undefined" && window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
darkQuery?.addEventListener("change", () => notify());

let preference: ThemePreference = readStoredPreference();

function readStoredPreference(): ThemePreference {
  try {
    const stored = window.localStorage.getItem(THEME_STORAGE_KEY);
    return stored === "light" || stored === "dark" ? stored : "system";
  } catch {
    return "system";
  }
}

function notify(): void {
  for (const listener of [...listeners]) listener();
}

/** The theme in effect: the user's choice, else the system's. */
export function currentTheme(): Theme {
  if (preference !== "system") return preference;
  return darkQuery?.matches ? "dark" : "light";
}

export function subscribeToTheme(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/**
 * Applies and remembers a theme. `data-theme` on `<html>` switches the CSS variables;
 * without it the stylesheet follows `prefers-color-scheme`. `remember: false` applies it to
 * this page only (the embedded chat takes its theme from the host page's options each time).
 */
export function setThemePreference(next: ThemePreference, { remember = true }: { remember?: boolean } = {}): void {
  preference = next;
  const root = document.documentElement;
  if (next === "system") delete root.dataset.theme;
  else root.dataset.theme = next;
  if (!remember) return notify();
  try {
    if (next === "system") window.localStorage.removeItem(THEME_STORAGE_KEY);
    else window.localStorage.setItem(THEME_STORAGE_KEY, next);
  } catch {
    // Storage disabled: the choice lasts for this page only.
  }
  notify();
}
