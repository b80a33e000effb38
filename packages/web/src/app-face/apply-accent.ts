import { accentPalette } from "./accent-palette";

/**
 * Sets the app's accent colour on `<html>` as CSS custom properties, through the CSSOM: the
 * CSP (`style-src 'self'`) forbids style attributes in markup and inline `<style>`, not
 * `style.setProperty`. The values come from `accentPalette`, never as typed: only a hex colour
 * gets through. `undefined` restores the built-in colours.
 */
export function applyAccent(hex: string | undefined, root: HTMLElement = document.documentElement): void {
  const palette = hex === undefined ? null : accentPalette(hex);
  for (const name of ["--accent", "--accent-hover", "--accent-text", "--accent-soft", "--accent-soft-text", "--accent-ink", "--focus-ring"]) {
    root.style.removeProperty(name);
  }
  if (palette === null) return;
  for (const [name, value] of Object.entries(palette)) root.style.setProperty(name, value);
}
