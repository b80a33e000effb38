import { describe, expect, it } from "vitest";
import { safeReturnPath } from "../src/auth/oauth/safe-return-path.js";

describe("safeReturnPath", () => {
  it.each([
    ["/", "/"],
    ["/threads", "/threads"],
    ["/threads/42?tab=files#message-7", "/threads/42?tab=files#message-7"],
    ["/search?q=a%20b&next=%2Fhome", "/search?q=a%20b&next=%2Fhome"],
    ["/a/../b", "/b"],
    ["/caf%C3%A9", "/caf%C3%A9"],
    ["/a%2F%2Fb", "/a%2F%2Fb"],
  ])("keeps the same-origin path %j as %j", (input, expected) => {
    expect(safeReturnPath(input)).toBe(expected);
  });

  it.each([
    // other hosts, absolute or protocol-relative
    "https://evil.com",
    "http://evil.com/path",
    "//evil.com",
    "///evil.com",
    "//evil.com/%2F..",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.com",
    // backslashes, which browsers read as slashes
    "/\\evil.com",
    "\\\\evil.com",
    "\\/evil.com",
    "/path\\to",
    // percent-encoded slashes and backslashes at the start, once or twice
    "%2F%2Fevil.com",
    "/%2F%2Fevil.com",
    "/%2fevil.com",
    "/%5Cevil.com",
    "/%5cevil.com",
    "/%252F%252Fevil.com",
    "/%25252F%25252Fevil.com",
    // control characters and the whitespace URL parsers drop
    "/\t/evil.com",
    "/\n/evil.com",
    "/\r\nSet-Cookie: x=y",
    "/%0d%0aSet-Cookie:%20x=y",
    "/%09/evil.com",
    "/\u0000",
    "/\u007f",
    "/\u0085",
    // dot segments that normalize into a protocol-relative path
    "/.//evil.com",
    "/..//evil.com",
    // garbage
    "",
    " /threads",
    "/%E0%A4%A",
    "/" + "a".repeat(2048),
  ])("refuses %j", (input) => {
    expect(safeReturnPath(input)).toBe("/");
  });

  it.each([[undefined], [null], [42], [["/a", "/b"]], [{ path: "/a" }]])("refuses the non-string %j", (input) => {
    expect(safeReturnPath(input)).toBe("/");
  });
});

describe("safeReturnPath under a base path", () => {
  it.each([
    ["/chat/", "/chat/"],
    ["/chat", "/chat"],
    ["/chat/chat/42?tab=files#m3", "/chat/chat/42?tab=files#m3"],
    ["/chat/sessions", "/chat/sessions"],
  ])("keeps %j", (input, expected) => {
    expect(safeReturnPath(input, "/chat")).toBe(expected);
  });

  it.each([
    // another app of the host, or the host's root
    "/",
    "/b/chat/1",
    "/chatty/",
    "/chat-admin",
    // climbing out of the prefix, as the browser reads it or after one more decoding
    "/chat/../b/",
    "/chat/%2e%2e/b/",
    "/chat/%2E%2E/b",
    "/chat/%252e%252e/b",
    "/chat/./../b",
    // what is refused at the root is refused under a prefix too, with the prefix's home instead
    "//evil.com/chat/",
    "https://evil.com/chat/",
    "/chat/\\evil.com",
    "",
  ])("sends %j to the prefix's home", (input) => {
    expect(safeReturnPath(input, "/chat")).toBe("/chat/");
  });
});
