import { describe, expect, it } from "vitest";
import { fetchHostToken } from "../src/token-relay.js";

describe("fetchHostToken", () => {
  it("passes a token on, trimmed", async () => {
    expect(await fetchHostToken(async () => "h.p.s\n")).toEqual({ ok: true, token: "h.p.s" });
    expect(await fetchHostToken(() => "h.p.s")).toEqual({ ok: true, token: "h.p.s" });
  });

  it("answers token_failed when getToken throws, rejects or hangs", async () => {
    expect(
      await fetchHostToken(() => {
        throw new Error("logged out");
      }),
    ).toEqual({ ok: false, error: { code: "token_failed", message: "getToken() failed: logged out" } });
    expect(await fetchHostToken(() => Promise.reject(new Error("503")))).toMatchObject({ ok: false, error: { code: "token_failed" } });
    expect(await fetchHostToken(() => new Promise<string>(() => {}), 50)).toMatchObject({
      ok: false,
      error: { code: "token_failed", message: "getToken() did not settle within 50 ms" },
    });
  });

  it("answers invalid_token for anything but a plausible token", async () => {
    for (const value of ["", "   ", "two words", "x".repeat(9000), 42, null, { token: "a.b.c" }]) {
      expect(await fetchHostToken(async () => value as string)).toMatchObject({ ok: false, error: { code: "invalid_token" } });
    }
  });
});
