import { LOCALES, type Locale } from "./catalogs";

/** Whether a string names a language the UI speaks. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/**
 * The UI's language: the user's saved choice, else the first of the browser's languages
 * (`navigator.languages`, most preferred first) that the UI speaks, by its primary subtag
 * (`fr-CA` → `fr`), else English.
 *
 * @example
 * pickLocale(null, ["de-DE", "fr-CA", "en"]) // → "fr"
 */
export function pickLocale(saved: string | null, preferred: readonly string[]): Locale {
  if (isLocale(saved)) return saved;
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split("-")[0];
    if (isLocale(primary)) return primary;
  }
  return LOCALES[0];
}
