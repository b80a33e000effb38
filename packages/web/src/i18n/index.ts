export { LOCALES, LOCALE_NAMES, type Locale } from "./catalogs";
export type { MessageKey } from "./en";
export { localeStore } from "./locale-store";
export { pickLocale } from "./pick-locale";
export { translator, type Translate } from "./translate";
export { useI18n, type I18n } from "./use-i18n";
