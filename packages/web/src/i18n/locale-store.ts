import { LOCALES, type Locale } from "./catalogs";
import { pickLocale } from "./pick-locale";

/**
 * Where the user's language choice is kept: a display preference, not a secret, like the
 * theme (`parlor-theme`). Nothing is saved until the user picks a language.
 */
const STORAGE_KEY = "parlor-lang";

type Listener = () => void;
const listeners = new Set<Listener>();
let current: Locale = LOCALES[0];

function saved(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage blocked (privacy settings): follow the browser
  }
}

function apply(locale: Locale) {
  current = locale;
  document.documentElement.lang = locale;
  for (const listener of listeners) listener();
}

/**
 * The UI's language, as an external store for `useSyncExternalStore`. Starts from the saved
 * choice, else the browser's languages. The embedded chat passes the host page's `lang`
 * instead, which wins over both: the host page knows its reader's language.
 */
export const localeStore = {
  init(hostLanguage?: string | null) {
    apply(hostLanguage ? pickLocale(null, [hostLanguage]) : pickLocale(saved(), navigator.languages));
  },
  get(): Locale {
    return current;
  },
  /** Switches the language and remembers the choice in this browser. */
  set(locale: Locale) {
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // Not saved: it still applies to this page.
    }
    apply(locale);
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
