import { describe, expect, it } from "vitest";
import { deviceFromUserAgent } from "./device-name";

describe("deviceFromUserAgent", () => {
  it("names common browsers and systems", () => {
    expect(
      deviceFromUserAgent("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"),
    ).toEqual({
      name: "Chrome on macOS",
      mobile: false,
    });
    expect(
      deviceFromUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0").name,
    ).toBe("Edge on Windows");
    expect(deviceFromUserAgent("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0").name).toBe("Firefox on Linux");
    expect(
      deviceFromUserAgent(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      ),
    ).toEqual({
      name: "Safari on iPhone",
      mobile: true,
    });
  });

  it("falls back without a user agent", () => {
    expect(deviceFromUserAgent(null)).toEqual({ name: "Unknown device", mobile: false });
    expect(deviceFromUserAgent("something/1.0").name).toBe("Unknown device");
  });
});
