import { describe, expect, it } from "vitest";
import { checkCookieRules, CookieRuleError, oauthFlowCookie, ParlorCookie, readCookie, sessionCookie } from "../src/auth/cookies.js";

describe("cookie prefix rules", () => {
  it("accepts a __Host- cookie that is Secure, Path=/ and host-only", () => {
    expect(() => checkCookieRules("__Host-s", { secure: true, path: "/" })).not.toThrow();
  });

  it.each([
    ["__Host-s", { secure: false, path: "/" }, /must be Secure/],
    ["__Host-s", { secure: true, path: "/api" }, /must have Path=\//],
    ["__Host-s", { secure: true }, /must have Path=\//],
    ["__Host-s", { secure: true, path: "/", domain: "example.com" }, /must not have a Domain/],
    ["__host-s", { secure: false, path: "/" }, /must be Secure/],
    ["__Secure-s", { secure: false, path: "/api" }, /__Secure- cookie must be Secure/],
    ["plain", { secure: false, path: "/", sameSite: "none" }, /SameSite=None needs Secure/],
  ])("refuses %s with %o", (name, attributes, message) => {
    expect(() => checkCookieRules(name, attributes)).toThrow(CookieRuleError);
    expect(() => checkCookieRules(name, attributes)).toThrow(message);
  });

  it("accepts __Secure- with any path when Secure, and unprefixed cookies without Secure", () => {
    expect(() => checkCookieRules("__Secure-s", { secure: true, path: "/api", domain: "example.com" })).not.toThrow();
    expect(() => checkCookieRules("plain", { secure: false, path: "/", sameSite: "lax" })).not.toThrow();
  });

  it("gives the error a stable code, and checks when a cookie is defined", () => {
    const error = (() => {
      try {
        new ParlorCookie("__Host-s", { httpOnly: true, secure: false, sameSite: "lax", path: "/" });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(CookieRuleError);
    expect((error as CookieRuleError).code).toBe("cookie_rule");
  });
});

describe("Parlor's cookies", () => {
  it("session cookie: the configured name and SameSite, HttpOnly, Path=/, no Domain", () => {
    const cookie = sessionCookie({ name: "__Host-parlor-chat-0123abcd", secure: true, sameSite: "strict" });
    expect(cookie.name).toBe("__Host-parlor-chat-0123abcd");
    expect(cookie.attributes).toEqual({ httpOnly: true, secure: true, sameSite: "strict", path: "/" });
  });

  it("flow cookie: the session cookie's name plus -oauth, always SameSite=Lax, Secure like the session cookie", () => {
    const secure = oauthFlowCookie({ name: "__Host-parlor-chat-0123abcd", secure: true, sameSite: "strict" });
    expect(secure.name).toBe("__Host-parlor-chat-0123abcd-oauth");
    expect(secure.attributes).toEqual({ httpOnly: true, secure: true, sameSite: "lax", path: "/" });
    const plain = oauthFlowCookie({ name: "parlor-chat-0123abcd", secure: false, sameSite: "lax" });
    expect(plain.attributes.secure).toBe(false);
  });

  it("refuses a session cookie the browser would drop (a __Host- name without Secure)", () => {
    expect(() => sessionCookie({ name: "__Host-chat", secure: false, sameSite: "lax" })).toThrow(CookieRuleError);
  });
});

describe("readCookie", () => {
  it("reads one cookie by exact name", () => {
    expect(readCookie("a=1; s=token; s-oauth=flow", "s")).toBe("token");
    expect(readCookie("a=1; s-oauth=flow", "s")).toBeNull();
    expect(readCookie("s-oauth=flow; s=token", "s-oauth")).toBe("flow");
    expect(readCookie(undefined, "s")).toBeNull();
    expect(readCookie("s=", "s")).toBeNull();
  });

  it("refuses a cookie sent twice (cookie tossing) instead of picking one", () => {
    expect(readCookie("s=mine; s=planted", "s")).toBeNull();
  });

  it("matches the name only at the start of a pair, never inside another name or a value", () => {
    expect(readCookie("xs=1; a=s=2", "s")).toBeNull();
    expect(readCookie("xs=1;s=token", "s")).toBe("token");
    expect(readCookie("a=s=2;\t s=token  ", "s")).toBe("token");
    expect(readCookie("s=token; a=s=2", "s")).toBe("token");
  });
});
