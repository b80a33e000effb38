import { describe, expect, it } from "vitest";
import { catalogs, LOCALES } from "./catalogs";
import { en } from "./en";
import { pickLocale } from "./pick-locale";
import { translator } from "./translate";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
const keys = (text: string) => [...text.matchAll(/<([^>]+)>/g)].length;

describe("the UI's string catalogs", () => {
  it.each(LOCALES.filter((locale) => locale !== "en"))("%s has exactly the keys of the English catalog", (locale) => {
    expect(Object.keys(catalogs[locale]).sort()).toEqual(Object.keys(en).sort());
  });

  it.each(LOCALES)("%s fills the same placeholders and marks the same number of keys as English, in every string", (locale) => {
    const mismatched = Object.entries(en).filter(
      ([key, text]) =>
        placeholders(catalogs[locale][key as keyof typeof en]).join() !== placeholders(text).join() ||
        keys(catalogs[locale][key as keyof typeof en]) !== keys(text),
    );
    expect(mismatched.map(([key]) => key)).toEqual([]);
  });

  it.each(LOCALES)("%s has no empty string", (locale) => {
    expect(Object.entries(catalogs[locale]).filter(([, text]) => text.trim() === "")).toEqual([]);
  });

  it("fills placeholders, and leaves one without a value visible", () => {
    expect(translator("fr")("composer.placeholder", { app: "Acme" })).toBe("Écrire à Acme…");
    expect(translator("en")("composer.placeholder", {})).toBe("Message {app}…");
    expect(translator("en")("composer.remove", { name: "{app}.png" })).toBe("Remove {app}.png");
  });
});

describe("pickLocale", () => {
  it("keeps a saved choice over the browser's languages", () => {
    expect(pickLocale("fr", ["en-US"])).toBe("fr");
    expect(pickLocale("en", ["fr-FR"])).toBe("en");
  });

  it("takes the first browser language the UI speaks, by its primary subtag", () => {
    expect(pickLocale(null, ["de-DE", "fr-CA", "en"])).toBe("fr");
    expect(pickLocale(null, ["FR"])).toBe("fr");
    expect(pickLocale(null, ["en-GB", "fr"])).toBe("en");
  });

  it("falls back to English for an unknown saved value or languages it does not speak", () => {
    expect(pickLocale("xx", ["de", "ja"])).toBe("en");
    expect(pickLocale(null, [])).toBe("en");
  });
});
