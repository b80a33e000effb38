import { describe, expect, it } from "vitest";
import { hasCodeBlock, hasMath } from "./detect-rich-content";

describe("hasCodeBlock", () => {
  it.each(["```ts\nconst x = 1;\n```", "Intro\n\n~~~\ncode\n~~~", "  ```\nindented fence"])("finds a fence in %j", (text) => {
    expect(hasCodeBlock(text)).toBe(true);
  });
  it.each(["Use `inline` code only", "no code at all", "a ``` mid-line"])("finds none in %j", (text) => {
    expect(hasCodeBlock(text)).toBe(false);
  });
});

describe("hasMath", () => {
  it.each(["Euler: $e^{i\\pi} + 1 = 0$.", "$$\n\\int_0^1 x\\,dx\n$$", "($x$)", "$a$"])("finds math in %j", (text) => {
    expect(hasMath(text)).toBe(true);
  });
  it.each(["It costs $5 and $10.", "A lone $ sign", "price: 5$ or 6$", "escaped \\$x$ no", "no dollars"])("finds none in %j", (text) => {
    expect(hasMath(text)).toBe(false);
  });
});
