import { useMemo, useSyncExternalStore } from "react";
import type { Locale } from "./catalogs";
import { localeStore } from "./locale-store";
import { translator, type Translate } from "./translate";

export interface I18n {
  locale: Locale;
  t: Translate;
  setLocale(locale: Locale): void;
}

/** The UI's language and its translator; components re-render when the language changes. */
export function useI18n(): I18n {
  const locale = useSyncExternalStore(localeStore.subscribe, localeStore.get);
  return useMemo(() => ({ locale, t: translator(locale), setLocale: (next: Locale) => localeStore.set(next) }), [locale]);
}
