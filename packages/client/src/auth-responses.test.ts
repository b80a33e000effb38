import type { MeResponse } from "@parlor/protocol";
import { describe, expect, it } from "vitest";
import { ParlorApiError } from "./api-error.js";
import { authConfig, meResponse, sessionListResponse } from "./auth-responses.js";

const me: MeResponse = {
  user: { id: "u1", identifier: "alice", displayName: null },
  session: { id: "s1", client: "web", expiresAt: "2026-01-01T00:00:00.000Z" },
  csrfToken: "token",
};

describe("auth answers", () => {
  it("reads /auth/me into its protocol shape, leaving out fields it does not know", () => {
    expect(meResponse({ ...me, extra: true, user: { ...me.user, metadata: {} } })).toEqual(me);
  });

  it("refuses a malformed answer as invalid_response", () => {
    for (const body of [null, { ...me, csrfToken: 1 }, { ...me, session: { ...me.session, client: "desktop" } }]) {
      expect(() => meResponse(body)).toThrow(ParlorApiError);
      try {
        meResponse(body);
      } catch (error) {
        expect((error as ParlorApiError).code).toBe("invalid_response");
      }
    }
  });

  it("reads the session list; `current` is true only when the server says so", () => {
    const entry = { id: "s1", client: "api", createdAt: "a", lastSeenAt: "b", expiresAt: "c", userAgent: null, ip: "127.0.0.1" };
    expect(sessionListResponse({ sessions: [entry, { ...entry, id: "s2", current: true }] }).sessions.map((s) => [s.id, s.current])).toEqual([
      ["s1", false],
      ["s2", true],
    ]);
  });

  it("reads the app's face from /auth/config, dropping a malformed logo or colour", () => {
    const face = (app: unknown) => authConfig({ app, maxUploadBytes: 1024 }).app;
    expect(face({ name: "Acme", logo: "/auth/logo?v=abc", accentColor: "#0f766e" })).toEqual({
      name: "Acme",
      logo: "/auth/logo?v=abc",
      accentColor: "#0f766e",
    });
    expect(face({ name: "Acme", logo: 42, accentColor: "red; background: url(x)" })).toEqual({ name: "Acme" });
    expect(face({ name: "" })).toEqual({ name: "Parlor" });
    expect(authConfig({ maxUploadBytes: 1024 }).maxUploadBytes).toBe(1024);
    expect(authConfig({ maxUploadBytes: -1 }).maxUploadBytes).toBe(0);
  });

  it("reads /auth/config leniently: missing flags are off, login stays required, bad providers are left out", () => {
    expect(authConfig({ oauth: [{ id: "github", name: "GitHub" }, "junk"] })).toEqual({
      requireLogin: true,
      app: { name: "Parlor" },
      maxUploadBytes: 0,
      password: false,
      header: false,
      oauth: [{ id: "github", name: "GitHub" }],
      // An older server says nothing about the UI: the defaults.
      ui: { steps: "collapsed" },
    });
  });
});
