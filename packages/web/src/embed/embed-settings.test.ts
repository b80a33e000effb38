import { describe, expect, it } from "vitest";
import { readEmbedSettings } from "./embed-settings";

describe("readEmbedSettings", () => {
  it("reads the host origin, theme and language the loader put in the address", () => {
    expect(readEmbedSettings({ pathname: "/embed/shop", search: "?host=https%3A%2F%2Fshop.example&theme=dark&lang=fr-CA" })).toEqual({
      hostOrigin: "https://shop.example",
      theme: "dark",
      language: "fr-CA",
      baseUrl: "",
    });
  });

  it("finds the server under a path prefix from the page's own path", () => {
    expect(readEmbedSettings({ pathname: "/chat/embed/shop", search: "?host=http://127.0.0.1:3000" })?.baseUrl).toBe("/chat");
  });

  it("refuses an address without a plain http(s) origin as host", () => {
    for (const search of [
      "",
      "?host=",
      "?host=*",
      "?host=null",
      "?host=javascript:alert(1)",
      "?host=https://shop.example/",
      "?host=https://shop.example/path",
    ]) {
      expect(readEmbedSettings({ pathname: "/embed/shop", search }), search).toBeNull();
    }
  });

  it("falls back to auto and no language for values it does not know", () => {
    const settings = readEmbedSettings({ pathname: "/embed/shop", search: "?host=https://shop.example&theme=neon&lang=%3Cscript%3E" });
    expect(settings).toMatchObject({ theme: "auto", language: null });
  });
});
