import { contrastRatio, mix, parseHex, toHex, type Rgb } from "./contrast";

/** WCAG AA for body text. */
export const AA_TEXT = 4.5;

const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];

/** The page backgrounds the accent is drawn on (`--bg` and `--surface` of base.css). */
export const PAGE_BACKGROUNDS = { light: [WHITE], dark: [parseHex("#111113")!, parseHex("#1c1c20")!] } as const;

/** The CSS custom properties an app's accent colour sets, each a `light-dark()` pair or one colour. */
export type AccentProperties = Readonly<
  Record<"--accent" | "--accent-hover" | "--accent-text" | "--accent-soft" | "--accent-soft-text" | "--accent-ink" | "--focus-ring", string>
>;

/**
 * The palette of an app's accent colour, so that any colour an author picks keeps text
 * readable (WCAG AA):
 * - buttons are the colour itself, with black or white text, whichever contrasts more (at
 *   least 4.58:1 for every colour);
 * - links and accent text (`--accent-ink`) are the colour darkened (light theme) or lightened
 *   (dark theme) just enough to reach 4.5:1 on the page and on the soft tint;
 * - the soft tint (selected items, badges) is 14% of the colour over the page.
 * `null` for a string that is not `#rgb` or `#rrggbb`.
 */
export function accentPalette(hex: string): AccentProperties | null {
  const accent = parseHex(hex);
  if (accent === null) return null;
  const text = contrastRatio(accent, WHITE) >= contrastRatio(accent, BLACK) ? WHITE : BLACK;
  // Hover moves away from the text colour, so the text contrasts even more.
  const hover = mix(accent, text === WHITE ? BLACK : WHITE, 0.15);
  const softLight = mix(WHITE, accent, 0.14);
  const softDark = mix(PAGE_BACKGROUNDS.dark[0], accent, 0.22);
  const inkLight = readableOn(accent, [...PAGE_BACKGROUNDS.light, softLight], BLACK);
  const inkDark = readableOn(accent, [...PAGE_BACKGROUNDS.dark, softDark], WHITE);
  const pair = (light: Rgb, dark: Rgb) => `light-dark(${toHex(light)}, ${toHex(dark)})`;
  return {
    "--accent": toHex(accent),
    "--accent-hover": toHex(hover),
    "--accent-text": toHex(text),
    "--accent-soft": pair(softLight, softDark),
    "--accent-soft-text": pair(inkLight, inkDark),
    "--accent-ink": pair(inkLight, inkDark),
    "--focus-ring": pair(inkLight, inkDark),
  };
}

/** `colour`, moved towards `towards` in small steps until it reaches AA on every background. */
function readableOn(colour: Rgb, backgrounds: readonly Rgb[], towards: Rgb): Rgb {
  for (let amount = 0; amount < 1; amount += 0.02) {
    // Rounded first, as it will be written: rounding must not cost the last bit of contrast.
    const candidate = parseHex(toHex(mix(colour, towards, amount)))!;
    if (backgrounds.every((background) => contrastRatio(candidate, background) >= AA_TEXT)) return candidate;
  }
  return towards;
}
