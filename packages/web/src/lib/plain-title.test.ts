import { describe, expect, it } from "vitest";
import { plainTitle } from "./plain-title";

describe("plainTitle: a chat title without Markdown syntax", () => {
  it.each([
    ["**Fix** the `build`", "Fix the build"],
    ["## How do I use `useEffect` with [React](https://react.dev)?", "How do I use useEffect with React?"],
    ["> quoted *idea* and __strong__ and ~~old~~", "quoted idea and strong and old"],
    ["- first item", "first item"],
    ["1. step one", "step one"],
    ["![diagram](/api/files/abc) explained", "diagram explained"],
    ["```ts\nconst x = 1", "const x = 1"],
    ["Line one\nline two", "Line one line two"],
    ["Solve $$x^2 = 4$$", "Solve x^2 = 4"],
  ])("%j → %j", (title, plain) => {
    expect(plainTitle(title)).toBe(plain);
  });

  it.each(["snake_case_name and more_words", "2*3*4 = 24", "C# or F#", "a < b > c", "$5 and $10"])("leaves %j alone: nothing there is a mark", (title) => {
    expect(plainTitle(title)).toBe(title);
  });

  it("keeps a title made only of marks as it was, rather than showing nothing", () => {
    expect(plainTitle("**")).toBe("**");
    expect(plainTitle("---")).toBe("---");
  });
});
