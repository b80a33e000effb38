import { catalogs, type Locale } from "./catalogs";
import type { MessageKey } from "./en";

/** Values for a string's `{placeholders}`. */
export type MessageParams = Readonly<Record<string, string | number>>;

/** A catalog string with its placeholders filled: what components call as `t`. */
export interface Translate {
  (key: MessageKey, params?: MessageParams): string;
  /** Its language: for `Intl` formats (dates, sizes, waits) next to its strings. */
  readonly locale: Locale;
}

/**
 * The translator of a language. A placeholder without a value stays as written, so a missing
 * parameter shows up in review instead of as an empty gap.
 *
 * @example
 * translator("fr")("composer.placeholder", { app: "Acme" }) // → "Écrire à Acme…"
 */
export function translator(locale: Locale): Translate {
  const catalog = catalogs[locale];
  function translate(key: MessageKey, params?: MessageParams): string {
    const text = catalog[key];
    if (params === undefined) return text;
    return text.replace(/\{(\w+)\}/g, (placeholder, name: string) => (name in params ? String(params[name]) : placeholder));
  }
  return Object.assign(translate, { locale });
}
