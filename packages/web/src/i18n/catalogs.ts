import { en, type Catalog } from "./en";
import { fr } from "./fr";

/** The languages the UI speaks, the first being the fallback. */
export const LOCALES = ["en", "fr"] as const;
export type Locale = (typeof LOCALES)[number];

export const catalogs: Readonly<Record<Locale, Catalog>> = { en, fr };

/** Each language by its own name, for the language switch. */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = { en: "English", fr: "Français" };
