import { describe, expect, it } from "vitest";
import { defineApp } from "parlor";
import { startTestServer, type TestServer } from "@parlor/test-support";

/**
 * What the app's login callback returns is the app's code, not ours: a value that is not a
 * user is a bug in the app, answered `500 internal` (and logged), with no session and no
 * cookie, for password and header login alike (auth/finish-login.ts).
 */
describe("a login callback that returns something other than a user", () => {
  let t: TestServer | undefined;

  const appReturning = (value: unknown) =>
    defineApp({
      name: "Buggy App",
      auth: { password: () => value as never, header: () => value as never },
      onMessage: (_message, chat) => chat.send("ok"),
    });

  it.each([
    ["an empty identifier", { identifier: "  " }],
    ["a numeric identifier", { identifier: 42 }],
    ["a display name over 255 characters", { identifier: "alice", displayName: "x".repeat(256) }],
    ["a string", "alice"],
  ])("answers 500 internal for %s, with no session and no cookie", async (_case, value) => {
    t = await startTestServer({ app: appReturning(value), server: { trustedProxies: ["loopback"] } });
    for (const path of ["/auth/login", "/auth/header"]) {
      const client = t.client();
      const response = await client.post(path, { json: { username: "alice", password: "pw" } });
      expect(response.status, path).toBe(500);
      expect(response.body, path).toEqual({ error: { code: "internal", message: "Internal server error" } });
      expect(response.headers.getSetCookie(), path).toEqual([]);
      expect(client.sessionCookie, path).toBeNull();
    }
    expect(await t.server.db.selectFrom("sessions").select("id").execute()).toEqual([]);
  });

  it("keeps the browser's current session when the new login fails", async () => {
    let next: unknown = { identifier: "alice" };
    t = await startTestServer({
      app: defineApp({ name: "Buggy App", auth: { password: () => next as never }, onMessage: (_m, chat) => chat.send("ok") }),
    });
    const client = t.client();
    expect((await client.login("alice", "pw")).status).toBe(200);
    next = { identifier: "" };
    expect((await client.post("/auth/login", { json: { username: "alice", password: "pw" } })).status).toBe(500);
    next = null;
    expect((await client.post("/auth/login", { json: { username: "alice", password: "pw" } })).status).toBe(401);
    // Neither a broken nor a refused login touched the session the browser already had.
    expect((await client.get("/auth/me")).status).toBe(200);
  });
});
