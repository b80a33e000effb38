import { describe, expect, it } from "vitest";
import { dialects, echoApp, startTestServer, TestClock, type TestServer } from "@parlor/test-support";

describe.each(dialects)("sessions on $name", (dialect) => {
  let t: TestServer;
  const start = async (options: Parameters<typeof startTestServer>[0] = {}) => {
    t = await startTestServer({ dialect, ...options });
    return t;
  };

  it("logs in with a password and sets an HttpOnly, Secure, SameSite=Lax __Host- cookie", async () => {
    await start();
    const alice = t.client();
    const login = await alice.login("alice");

    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ identifier: "alice", displayName: "User alice" });
    expect(login.body.csrfToken).toMatch(/^[\w-]{43}$/);
    const setCookie = login.headers.getSetCookie()[0]!;
    expect(setCookie).toMatch(/^__Host-parlor-test-app-[0-9a-f]{8}=/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/; SameSite=Lax/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).not.toMatch(/Domain=/i);
    expect(setCookie.length).toBeLessThan(1024);
  });

  it("answers /auth/me with the user, the session and the same CSRF token", async () => {
    await start();
    const alice = t.client();
    const login = await alice.login("alice");
    const me = await alice.get("/auth/me");

    expect(me.status).toBe(200);
    expect(me.body.user).toEqual(login.body.user);
    expect(me.body.session).toMatchObject({ client: "web" });
    expect(new Date(me.body.session.expiresAt).getTime()).toBeGreaterThan(t.clock.now() + 14 * 24 * 3600_000);
    expect(me.body.csrfToken).toBe(login.body.csrfToken);
  });

  it("answers /auth/me with 401 and the error shape without a session", async () => {
    await start();
    const me = await t.client().get("/auth/me");
    expect(me.status).toBe(401);
    expect(me.body).toEqual({ error: { code: "unauthenticated", message: expect.any(String) } });
  });

  it("creates the user on first login and updates the display name later", async () => {
    let name = "First";
    const app = echoApp({ auth: { password: ({ username }) => ({ identifier: username, displayName: name }) } });
    await start({ app });
    const first = await t.client().login("bob");
    name = "Second";
    const second = await t.client().login("bob");

    expect(second.body.user.id).toBe(first.body.user.id);
    expect(second.body.user.displayName).toBe("Second");
    const users = await t.server.db.selectFrom("users").selectAll().execute();
    expect(users).toHaveLength(1);
  });

  it("gives every login a new session id, and a new login replaces the browser's old session", async () => {
    await start();
    const browser = t.client();
    await browser.login("alice");
    const firstCookie = browser.sessionCookie!;
    const firstId = (await browser.get("/auth/me")).body.session.id;
    await browser.login("alice");
    const secondId = (await browser.get("/auth/me")).body.session.id;

    expect(secondId).not.toBe(firstId);
    expect(firstId.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
    const stale = t.client();
    stale.sessionCookie = firstCookie;
    expect((await stale.get("/auth/me")).status).toBe(401);
  });

  it("logout revokes at once: the replayed cookie gets 401 although its JWT has not expired", async () => {
    await start();
    const alice = t.client();
    await alice.login("alice");
    const stolen = alice.sessionCookie!;

    const logout = await alice.post("/auth/logout");
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie()[0]).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    expect(alice.sessionCookie).toBeNull();

    const attacker = t.client();
    attacker.sessionCookie = stolen;
    const replay = await attacker.get("/auth/me");
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe("unauthenticated");
  });

  it("keeps the revocation across a restart", async () => {
    await start();
    const alice = t.client();
    await alice.login("alice");
    const stolen = alice.sessionCookie!;
    await alice.post("/auth/logout");

    t = await t.restart();
    const attacker = t.client();
    attacker.sessionCookie = stolen;
    expect((await attacker.get("/auth/me")).status).toBe(401);
  });

  it("renews the cookie past half the token's life and keeps the session", async () => {
    await start();
    const alice = t.client();
    await alice.login("alice");
    const original = alice.sessionCookie;

    t.clock.advance(5 * 60 * 1000); // before half of 15 minutes: no renewal
    const early = await alice.get("/auth/me");
    expect(early.headers.getSetCookie()).toEqual([]);

    t.clock.advance(4 * 60 * 1000); // 9 minutes in: past half-life
    const renewed = await alice.get("/auth/me");
    expect(renewed.status).toBe(200);
    expect(renewed.headers.getSetCookie()).toHaveLength(1);
    expect(alice.sessionCookie).not.toBe(original);
    expect(renewed.body.session.id).toBe(early.body.session.id);
  });

  it("renews an expired token while the session is live, so an idle hour does not log users out", async () => {
    await start();
    const alice = t.client();
    await alice.login("alice");
    t.clock.advance(3_600_000);
    const me = await alice.get("/auth/me");
    expect(me.status).toBe(200);
    expect(me.headers.getSetCookie()).toHaveLength(1);
  });

  it("accepts a bearer token until it expires, and never renews it", async () => {
    await start();
    const alice = t.client();
    await alice.login("alice");
    const api = t.client();
    const bearer = { authorization: `Bearer ${alice.sessionCookie}` };

    t.clock.advance(10 * 60 * 1000); // past half-life
    const late = await api.get("/auth/me", { headers: bearer });
    expect(late.status).toBe(200);
    expect(late.headers.getSetCookie()).toEqual([]);

    t.clock.advance(6 * 60 * 1000); // past the 15 minutes
    expect((await api.get("/auth/me", { headers: bearer })).status).toBe(401);
  });

  it("ends the session after the idle timeout", async () => {
    await start({ server: { session: { tokenTtl: 60, idleTimeout: 600, maxAge: 3600 } } });
    const alice = t.client();
    await alice.login("alice");
    t.clock.advance(601_000);
    const me = await alice.get("/auth/me");
    expect(me.status).toBe(401);
  });

  it("ends the session at its absolute lifetime even when active", async () => {
    await start({ server: { session: { tokenTtl: 60, idleTimeout: 600, maxAge: 1800 } } });
    const alice = t.client();
    await alice.login("alice");
    for (let minute = 5; minute < 30; minute += 5) {
      t.clock.advance(300_000);
      expect((await alice.get("/auth/me")).status, `minute ${minute}`).toBe(200);
    }
    t.clock.advance(300_000);
    expect((await alice.get("/auth/me")).status).toBe(401);
  });

  it("lists the user's sessions and marks the current one", async () => {
    await start();
    const laptop = t.client();
    const phone = t.client();
    await laptop.login("alice");
    await phone.login("alice");
    await t.client().login("bob");

    const list = await laptop.get("/auth/sessions");
    expect(list.status).toBe(200);
    expect(list.body.sessions).toHaveLength(2);
    expect(list.body.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(list.body.sessions[0]).toMatchObject({ client: "web", userAgent: expect.any(String), ip: "127.0.0.1" });
  });

  it("revokes another of the user's sessions, which is refused at once", async () => {
    await start();
    const laptop = t.client();
    const phone = t.client();
    await laptop.login("alice");
    await phone.login("alice");
    const phoneId = (await phone.get("/auth/me")).body.session.id;

    expect((await laptop.delete(`/auth/sessions/${phoneId}`)).status).toBe(204);
    expect((await phone.get("/auth/me")).status).toBe(401);
    expect((await laptop.get("/auth/me")).status).toBe(200);
    expect((await laptop.get("/auth/sessions")).body.sessions).toHaveLength(1);
  });

  it("answers 404 for another user's session id and leaves it alive", async () => {
    await start();
    const alice = t.client();
    const bob = t.client();
    await alice.login("alice");
    await bob.login("bob");
    const bobSession = (await bob.get("/auth/me")).body.session.id;

    const attempt = await alice.delete(`/auth/sessions/${bobSession}`);
    expect(attempt.status).toBe(404);
    expect(attempt.body.error.code).toBe("not_found");
    expect((await bob.get("/auth/me")).status).toBe(200);
  });

  it("signs out everywhere with DELETE /auth/sessions", async () => {
    await start();
    const laptop = t.client();
    const phone = t.client();
    const bob = t.client();
    await laptop.login("alice");
    await phone.login("alice");
    await bob.login("bob");

    expect((await laptop.delete("/auth/sessions")).status).toBe(204);
    expect((await laptop.get("/auth/me")).status).toBe(401);
    expect((await phone.get("/auth/me")).status).toBe(401);
    expect((await bob.get("/auth/me")).status).toBe(200);
  });

  it("rotates secrets without logging anyone out, and refuses tokens once the old secret is dropped", async () => {
    const oldSecret = "old-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    const newSecret = "new-secret-9876543210-zyxwvutsrqponmlkjihgfedcba";
    await start({ server: { authSecret: oldSecret } });
    const alice = t.client();
    await alice.login("alice");
    const oldCookie = alice.sessionCookie!;
    const oldCsrf = alice.csrfToken;

    t = await t.restart({ server: { authSecret: newSecret, authSecretPrevious: oldSecret } });
    const rotated = t.client();
    rotated.sessionCookie = oldCookie;
    rotated.csrfToken = oldCsrf;
    const me = await rotated.get("/auth/me");
    expect(me.status).toBe(200);
    // The old CSRF token still verifies: a POST made right after a deploy succeeds.
    expect((await rotated.get("/auth/sessions")).status).toBe(200);

    t = await t.restart({ server: { authSecret: newSecret, authSecretPrevious: undefined } });
    const dropped = t.client();
    dropped.sessionCookie = oldCookie;
    expect((await dropped.get("/auth/me")).status).toBe(401);
  });
});

describe("the authenticated fast path", () => {
  it("does not touch the database for a token it has verified before", async () => {
    const clock = new TestClock();
    const t = await startTestServer({ clock });
    try {
      const alice = t.client();
      await alice.login("alice");
      await alice.get("/auth/me");
      const queries: string[] = [];
      const db = t.server.db as unknown as { executeQuery: (...args: unknown[]) => unknown };
      const original = db.executeQuery.bind(db);
      db.executeQuery = (query: unknown, ...rest: unknown[]) => {
        queries.push(JSON.stringify(query));
        return original(query, ...rest);
      };
      for (let i = 0; i < 20; i++) expect((await alice.get("/auth/me")).status).toBe(200);
      expect(queries).toEqual([]);
    } finally {
      await t.stop();
    }
  });
});
