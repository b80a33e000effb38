import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { contrastRatio, parseHex } from "../app-face/contrast";

/** The `--token: light-dark(#light, #dark)` pairs of base.css, by token. */
function themeTokens(): Map<string, { light: string; dark: string }> {
  const css = readFileSync(new URL("./base.css", import.meta.url), "utf8");
  const tokens = new Map<string, { light: string; dark: string }>();
  for (const match of css.matchAll(/(--[\w-]+):\s*light-dark\((#[0-9a-f]{3,6}),\s*(#[0-9a-f]{3,6})\)/gi)) {
    tokens.set(match[1]!, { light: match[2]!, dark: match[3]! });
  }
  return tokens;
}

/**
 * Every pair of text and the background it is drawn on in the stylesheets: normal-size text,
 * so WCAG AA asks 4.5:1 in both themes.
 */
const TEXT_ON_BACKGROUND: ReadonlyArray<[text: string, background: string]> = [
  ["--text", "--bg"],
  ["--text", "--bg-subtle"],
  ["--text", "--bg-muted"],
  ["--text", "--surface-raised"],
  ["--text-muted", "--bg"],
  ["--text-muted", "--bg-subtle"],
  ["--text-muted", "--bg-muted"],
  ["--text-muted", "--surface-raised"],
  // The composer hint, timestamps, the sidebar's group titles, the login footer.
  ["--text-faint", "--bg"],
  ["--text-faint", "--bg-subtle"],
  ["--text-faint", "--surface"],
  ["--accent", "--bg"],
  ["--accent-ink", "--bg"],
  ["--accent-ink", "--bg-muted"],
  ["--accent-text", "--accent"],
  ["--accent-text", "--accent-hover"],
  ["--accent-soft-text", "--accent-soft"],
  ["--user-bubble-text", "--user-bubble"],
  ["--danger", "--bg"],
  ["--danger", "--danger-soft"],
  ["--danger-text", "--danger"],
  ["--danger-text", "--danger-hover"],
  ["--warning", "--bg"],
  ["--success", "--bg"],
  ["--info-text", "--info-soft"],
];

/** The `color: light-dark(#light, #dark)` declarations of a stylesheet. */
function textColours(file: string): Array<{ light: string; dark: string }> {
  const css = readFileSync(new URL(file, import.meta.url), "utf8");
  return [...css.matchAll(/\bcolor:\s*light-dark\((#[0-9a-f]{3,6}),\s*(#[0-9a-f]{3,6})\)/gi)].map((match) => ({ light: match[1]!, dark: match[2]! }));
}

describe("the theme's text contrast (WCAG AA, 4.5:1)", () => {
  const tokens = themeTokens();

  it("reads every token it checks from base.css", () => {
    const missing = TEXT_ON_BACKGROUND.flat().filter((token) => !tokens.has(token));
    expect(missing).toEqual([]);
  });

  it.each(["light", "dark"] as const)("is met by every pair of text and background in the %s theme", (theme) => {
    const failing = TEXT_ON_BACKGROUND.map(([text, background]) => {
      const ratio = contrastRatio(parseHex(tokens.get(text)![theme])!, parseHex(tokens.get(background)![theme])!);
      return { pair: `${text} on ${background}`, ratio: Math.round(ratio * 100) / 100 };
    }).filter(({ ratio }) => ratio < 4.5);
    expect(failing).toEqual([]);
  });

  it("is met by the code highlighter's token colours on a code block, in both themes", () => {
    const background = tokens.get("--bg-subtle")!;
    const colours = textColours("./code.css");
    expect(colours.length).toBeGreaterThan(5);
    const failing = colours.flatMap((colour) =>
      (["light", "dark"] as const)
        .map((theme) => ({ theme, colour: colour[theme], ratio: contrastRatio(parseHex(colour[theme])!, parseHex(background[theme])!) }))
        .filter(({ ratio }) => ratio < 4.5),
    );
    expect(failing).toEqual([]);
  });
});
