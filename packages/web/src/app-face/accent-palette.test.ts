import { describe, expect, it } from "vitest";
import { AA_TEXT, accentPalette, PAGE_BACKGROUNDS } from "./accent-palette";
import { contrastRatio, parseHex } from "./contrast";

const pairOf = (value: string) => {
  const match = /^light-dark\((#\w+), (#\w+)\)$/.exec(value);
  return { light: parseHex(match![1]!)!, dark: parseHex(match![2]!)! };
};

/** Colours an author might pick, from the palest to the darkest, saturated and grey. */
const COLOURS = ["#ffff00", "#fde047", "#22d3ee", "#00ff00", "#777777", "#808080", "#0f766e", "#e11d48", "#4f46e5", "#000000", "#ffffff", "#abc"];

describe("accentPalette: any accent colour keeps text readable", () => {
  it.each(COLOURS)("%s: the button text contrasts 4.5:1 with the button and its hover", (hex) => {
    const palette = accentPalette(hex)!;
    const text = parseHex(palette["--accent-text"])!;
    expect(contrastRatio(text, parseHex(palette["--accent"])!)).toBeGreaterThanOrEqual(AA_TEXT);
    expect(contrastRatio(text, parseHex(palette["--accent-hover"])!)).toBeGreaterThanOrEqual(AA_TEXT);
  });

  it.each(COLOURS)("%s: links and accent text reach 4.5:1 on the page and the soft tint, in both themes", (hex) => {
    const palette = accentPalette(hex)!;
    const ink = pairOf(palette["--accent-ink"]);
    const soft = pairOf(palette["--accent-soft"]);
    for (const background of [...PAGE_BACKGROUNDS.light, soft.light]) expect(contrastRatio(ink.light, background)).toBeGreaterThanOrEqual(AA_TEXT);
    for (const background of [...PAGE_BACKGROUNDS.dark, soft.dark]) expect(contrastRatio(ink.dark, background)).toBeGreaterThanOrEqual(AA_TEXT);
  });

  it("keeps a colour that already reads well as it is", () => {
    expect(accentPalette("#0F766E")!["--accent"]).toBe("#0f766e");
    expect(pairOf(accentPalette("#1e3a8a")!["--accent-ink"]).light).toEqual(parseHex("#1e3a8a"));
  });

  it.each(["teal", "#12345", "url(x)", "#0f766e; background: red", ""])("refuses %j: only a hex colour becomes CSS", (value) => {
    expect(accentPalette(value)).toBeNull();
  });
});
