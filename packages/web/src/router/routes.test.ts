import { describe, expect, it } from "vitest";
import { isAppPath } from "./navigate";
import { chatPath, matchRoute } from "./routes";

describe("matchRoute", () => {
  it("reads the app's pages", () => {
    expect(matchRoute("/")).toEqual({ name: "chat", threadId: undefined });
    expect(matchRoute("/login")).toEqual({ name: "login" });
    expect(matchRoute("/sessions/")).toEqual({ name: "sessions" });
    expect(matchRoute("/chat/abc")).toEqual({ name: "chat", threadId: "abc" });
  });

  it("round-trips thread ids through chatPath", () => {
    const id = "0mx2 y/%?";
    expect(matchRoute(chatPath(id))).toEqual({ name: "chat", threadId: id });
  });

  it("calls anything else not-found", () => {
    expect(matchRoute("/chat")).toEqual({ name: "not-found" });
    expect(matchRoute("/chat/a/b")).toEqual({ name: "not-found" });
    expect(matchRoute("/chat/%E0%A4%A")).toEqual({ name: "not-found" });
    expect(matchRoute("/admin")).toEqual({ name: "not-found" });
  });
});

describe("isAppPath", () => {
  it("accepts paths of this origin only", () => {
    expect(isAppPath("/chat/1")).toBe(true);
    expect(isAppPath("/")).toBe(true);
    expect(isAppPath("//evil.example")).toBe(false);
    expect(isAppPath("/\\evil.example")).toBe(false);
    expect(isAppPath("https://evil.example/")).toBe(false);
    expect(isAppPath("javascript:alert(1)")).toBe(false);
    expect(isAppPath("")).toBe(false);
  });
});
