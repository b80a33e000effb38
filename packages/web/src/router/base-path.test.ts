import { describe, expect, it } from "vitest";
import { appPathOf, basePath, hrefOf } from "./base-path";

describe("base path", () => {
  it("is empty without a <base> element (the dev server, tests)", () => {
    expect(basePath).toBe("");
  });

  it("puts the prefix in front of the app's paths, and takes it off the URL's", () => {
    expect(hrefOf("/", "/chat")).toBe("/chat/");
    expect(hrefOf("/chat/1", "/chat")).toBe("/chat/chat/1");
    expect(hrefOf("/login?next=%2F", "/a/b")).toBe("/a/b/login?next=%2F");
    expect(hrefOf("/sessions", "")).toBe("/sessions");
    expect(appPathOf("/chat/", "/chat")).toBe("/");
    expect(appPathOf("/chat", "/chat")).toBe("/");
    expect(appPathOf("/chat/chat/1", "/chat")).toBe("/chat/1");
    expect(appPathOf("/sessions", "")).toBe("/sessions");
  });

  it("leaves a path outside the prefix as it is, for the router to call not-found", () => {
    expect(appPathOf("/chatty/login", "/chat")).toBe("/chatty/login");
    expect(appPathOf("/b/", "/a")).toBe("/b/");
  });
});
