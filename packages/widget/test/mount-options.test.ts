import { describe, expect, it } from "vitest";
import { embedUrl, resolveMountOptions, type PageContext } from "../src/mount-options.js";
import { WidgetError } from "../src/widget-error.js";

const page: PageContext = { scriptBase: "https://chat.example.com/", hostOrigin: "https://shop.example" };
const getToken = () => "a.b.c";
// Stands in for an element: the check is duck-typed so that it runs without a DOM.
const container = { nodeType: 1, appendChild() {}, isConnected: true };

function errorOf(run: () => unknown): WidgetError {
  try {
    run();
  } catch (error) {
    if (error instanceof WidgetError) return error;
    throw error;
  }
  throw new Error("expected a WidgetError");
}

describe("resolveMountOptions", () => {
  it("fills in the defaults: where the script came from, closed, auto theme", () => {
    expect(resolveMountOptions({ embed: "shop", getToken }, page)).toEqual({
      embed: "shop",
      getToken,
      serverOrigin: "https://chat.example.com",
      serverUrl: "https://chat.example.com/",
      hostOrigin: "https://shop.example",
      open: false,
      container: null,
      theme: "auto",
      language: null,
    });
  });

  it("takes server, open, theme, language and container", () => {
    const resolved = resolveMountOptions(
      { embed: "shop_2", getToken, server: "http://localhost:8000/", open: true, theme: "dark", language: "fr-CA", container },
      page,
    );
    expect(resolved).toMatchObject({ serverOrigin: "http://localhost:8000", open: true, theme: "dark", language: "fr-CA", container });
  });

  it("opens by default in a container", () => {
    expect(resolveMountOptions({ embed: "shop", getToken, container }, page).open).toBe(true);
    expect(resolveMountOptions({ embed: "shop", getToken, container, open: false }, page).open).toBe(false);
  });

  it.each([
    ["no options", undefined, /expected an options object/],
    ["a missing embed", { getToken }, /`embed` is required/],
    ["an embed id with a slash", { embed: "../admin", getToken }, /`embed` is required/],
    ["a missing getToken", { embed: "shop" }, /`getToken` is required/],
    ["a token instead of getToken", { embed: "shop", getToken: "a.b.c" }, /`getToken` is required/],
    ["a typo", { embed: "shop", getToken, gettoken: getToken }, /unknown option `gettoken`/],
    ["a server with a query", { embed: "shop", getToken, server: "https://chat.example.com/?x=1" }, /origin and path prefix only/],
    ["a server with credentials", { embed: "shop", getToken, server: "https://user:pw@chat.example.com/" }, /origin and path prefix only/],
    ["a server that is not a URL", { embed: "shop", getToken, server: "chat.example.com" }, /not a URL/],
    ["a javascript: server", { embed: "shop", getToken, server: "javascript:alert(1)" }, /http\(s\)/],
    ["open as a string", { embed: "shop", getToken, open: "yes" }, /`open` must be/],
    ["a selector as container", { embed: "shop", getToken, container: "#chat" }, /`container` must be an element/],
    ["a detached container", { embed: "shop", getToken, container: { ...container, isConnected: false } }, /not in the document/],
    ["an unknown theme", { embed: "shop", getToken, theme: "blue" }, /`theme` must be/],
    ["a bad language", { embed: "shop", getToken, language: "english please" }, /`language` must be/],
  ])("refuses %s with invalid_options", (_label, options, message) => {
    const error = errorOf(() => resolveMountOptions(options, page));
    expect(error.code).toBe("invalid_options");
    expect(error.message).toMatch(/^Parlor\.mount: /);
    expect(error.message).toMatch(message);
  });

  it("needs `server` when the script's origin is unknown", () => {
    const error = errorOf(() => resolveMountOptions({ embed: "shop", getToken }, { ...page, scriptBase: null }));
    expect(error.message).toMatch(/`server` is required/);
  });

  it("refuses a page without an origin (file:, sandboxed)", () => {
    const error = errorOf(() => resolveMountOptions({ embed: "shop", getToken }, { ...page, hostOrigin: "null" }));
    expect(error.code).toBe("unsupported_page");
  });
});

describe("embedUrl", () => {
  it("names the host origin and the display options", () => {
    const options = resolveMountOptions({ embed: "shop", getToken, language: "de" }, page);
    const url = new URL(embedUrl(options));
    expect(url.origin + url.pathname).toBe("https://chat.example.com/embed/shop");
    expect(Object.fromEntries(url.searchParams)).toEqual({ host: "https://shop.example", theme: "auto", lang: "de" });
  });

  it("keeps the server's path prefix, from the script's folder or from `server`", () => {
    const fromScript = resolveMountOptions({ embed: "shop", getToken }, { ...page, scriptBase: "https://example.com/chat/" });
    expect(fromScript).toMatchObject({ serverOrigin: "https://example.com", serverUrl: "https://example.com/chat/" });
    expect(embedUrl(fromScript)).toMatch(/^https:\/\/example\.com\/chat\/embed\/shop\?/);
    for (const server of ["https://example.com/chat", "https://example.com/chat/"]) {
      const options = resolveMountOptions({ embed: "shop", getToken, server }, page);
      expect(options).toMatchObject({ serverOrigin: "https://example.com", serverUrl: "https://example.com/chat/" });
      expect(embedUrl(options)).toMatch(/^https:\/\/example\.com\/chat\/embed\/shop\?/);
    }
  });
});
