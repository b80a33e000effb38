import { ParlorApiError } from "@parlor/react";
import { describe, expect, it, vi } from "vitest";
import { browser } from "./helpers/clients.js";
import { CookieJar, ECHO_PASSWORD, echoApp, sleep, startTestServer, type TestServer } from "@parlor/test-support";

let t: TestServer;

/** Calls `fn` and returns the ParlorApiError it rejects with. */
async function failure(fn: () => Promise<unknown>): Promise<ParlorApiError> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ParlorApiError);
    return error as ParlorApiError;
  }
  throw new Error("expected a rejection");
}

describe("auth", () => {
  it("starts logged out, logs in with the password, and shows the user and session", async () => {
    t = await startTestServer();
    const { client } = browser(t);
    await client.start();
    expect(client.auth.getSnapshot()).toMatchObject({ status: "unauthenticated", isReady: true, isAuthenticated: false, user: null });
    expect(client.auth.getSnapshot().config).toEqual({
      requireLogin: true,
      app: { name: "Test App" },
      maxUploadBytes: 20 * 1024 * 1024,
      password: true,
      header: false,
      oauth: [],
      ui: { steps: "collapsed" },
    });

    const user = await client.auth.login("alice", ECHO_PASSWORD);
    expect(user).toMatchObject({ identifier: "alice", displayName: "User alice" });
    const state = client.auth.getSnapshot();
    expect(state).toMatchObject({ status: "authenticated", isAuthenticated: true, error: null, user: { identifier: "alice" } });
    expect(state.session).toMatchObject({ id: expect.any(String), client: "web", expiresAt: expect.any(String) });
  });

  it("logs in from a trusted proxy's headers with loginWithHeader()", async () => {
    t = await startTestServer({
      app: echoApp({ auth: { header: (headers) => (headers["x-forwarded-user"] === "dana" ? { identifier: "dana" } : null) } }),
      server: { trustedProxies: ["loopback"] },
    });
    const proxied = browser(t, new CookieJar(t.origin, { extraHeaders: { "x-forwarded-user": "dana" } })).client;
    await proxied.start();
    expect(proxied.auth.getSnapshot().config?.header).toBe(true);
    expect(await proxied.auth.loginWithHeader()).toMatchObject({ identifier: "dana" });
    expect(proxied.auth.getSnapshot()).toMatchObject({ status: "authenticated", session: { client: "web" } });

    const stranger = browser(t).client;
    await stranger.start();
    const refused = await failure(() => stranger.auth.loginWithHeader());
    expect(refused.code).toBe("invalid_credentials");
    expect(stranger.auth.getSnapshot().status).toBe("unauthenticated");
  });

  it("picks up an existing session on start (GET /auth/me)", async () => {
    t = await startTestServer();
    const jar = new CookieJar(t.origin);
    await browser(t, jar).client.auth.login("alice", ECHO_PASSWORD);
    const reopened = browser(t, jar).client; // a new page load: same cookie, no token in memory
    await reopened.start();
    expect(reopened.auth.getSnapshot()).toMatchObject({ status: "authenticated", user: { identifier: "alice" } });
  });

  it("sends the CSRF header on unsafe requests: logout answers 204 and logs out", async () => {
    t = await startTestServer();
    const { client, jar } = browser(t);
    await client.start();
    await client.auth.login("alice", ECHO_PASSWORD);
    await client.auth.logout();
    const logout = t.requests.find((r) => r.path === "/auth/logout")!;
    expect(logout).toMatchObject({ method: "POST", csrfHeader: true, status: 204 });
    expect(t.count("POST", "/auth/logout")).toBe(1);
    expect(client.auth.getSnapshot()).toMatchObject({ status: "unauthenticated", user: null, session: null });
    expect(jar.cookieHeader(t.origin)).toBe(""); // the server cleared the cookie
    // Safe requests carry no token.
    expect(t.requests.filter((r) => r.method === "GET").every((r) => !r.csrfHeader)).toBe(true);
  });

  it("turns a wrong password into ParlorApiError invalid_credentials, in the state too", async () => {
    t = await startTestServer();
    const { client } = browser(t);
    await client.start();
    const error = await failure(() => client.auth.login("alice", "wrong"));
    expect(error).toMatchObject({ code: "invalid_credentials", status: 401, name: "ParlorApiError" });
    expect(client.auth.getSnapshot()).toMatchObject({ status: "unauthenticated", error: { code: "invalid_credentials" } });
    // A failed login is not a "session ended": no /auth/me follows it.
    expect(t.count("GET", "/auth/me")).toBe(1);
    await client.auth.login("alice", ECHO_PASSWORD);
    expect(client.auth.getSnapshot().error).toBeNull();
  });

  it("surfaces the login rate limit as rate_limited with Retry-After", async () => {
    t = await startTestServer({ server: { loginRateLimit: { max: 2, window: 60 } } });
    const { client } = browser(t);
    await failure(() => client.auth.login("alice", "wrong"));
    await failure(() => client.auth.login("alice", "wrong"));
    const error = await failure(() => client.auth.login("alice", ECHO_PASSWORD));
    expect(error).toMatchObject({ code: "rate_limited", status: 429 });
    expect(error.retryAfter).toBeGreaterThan(0);
    expect(error.retryAfter).toBeLessThanOrEqual(60);
  });

  it("navigates to the provider with the current path as returnTo", async () => {
    t = await startTestServer();
    const { client, navigations } = browser(t);
    client.auth.loginWithProvider("git hub");
    expect(navigations).toEqual([`${t.origin}/auth/oauth/git%20hub?returnTo=%2Fthreads%2F42%3Ftab%3Dfiles`]);
  });

  describe("CSRF token refresh", () => {
    it("refreshes a stale token once through /auth/me and retries (a login in another tab changed the session)", async () => {
      t = await startTestServer();
      const jar = new CookieJar(t.origin);
      const tabA = browser(t, jar).client;
      const tabB = browser(t, jar).client;
      await tabA.auth.login("alice", ECHO_PASSWORD);
      await tabB.auth.start(); // token of session 1 in B's memory (HTTP only: the socket is tested elsewhere)
      const firstSession = tabB.auth.getSnapshot().session!.id;
      await tabA.auth.login("alice", ECHO_PASSWORD); // session 2: the shared cookie changes, B's token is stale
      const meBefore = t.count("GET", "/auth/me");

      await tabB.auth.refreshSessions();
      const current = tabB.auth.getSnapshot().sessions.find((s) => s.current)!;
      expect(current.id).not.toBe(firstSession);
      await tabB.auth.logout(); // POST with the stale token → 403 csrf → /auth/me → retry → 204

      const logouts = t.requests.filter((r) => r.path === "/auth/logout").map((r) => r.status);
      expect(logouts).toEqual([403, 204]);
      expect(t.count("GET", "/auth/me") - meBefore).toBe(1);
      expect(tabB.auth.getSnapshot().status).toBe("unauthenticated");
    });

    it("surfaces csrf after one retry when the server keeps refusing", async () => {
      t = await startTestServer();
      const { client, jar } = browser(t);
      await client.auth.login("alice", ECHO_PASSWORD);
      const meBefore = t.count("GET", "/auth/me");
      // From now on this page looks cross-site: every unsafe request fails the origin rule.
      jar.pageOrigin = "https://evil.example";

      const error = await failure(() => client.auth.logout());
      expect(error).toMatchObject({ code: "csrf", status: 403 });
      expect(t.count("POST", "/auth/logout")).toBe(2);
      expect(t.count("GET", "/auth/me") - meBefore).toBe(1);
      expect(client.auth.getSnapshot()).toMatchObject({ status: "authenticated", error: { code: "csrf" } });
    });
  });

  describe("a 401 anywhere", () => {
    it("moves to logged-out exactly once, closes the socket, and never loops", async () => {
      t = await startTestServer();
      const { client } = browser(t);
      await client.start();
      await client.auth.login("alice", ECHO_PASSWORD);
      await vi.waitFor(() => expect(client.connection.getSnapshot().state).toBe("connected"));
      let loggedOut = 0;
      let last = client.auth.getSnapshot().status;
      client.auth.subscribe(() => {
        const { status } = client.auth.getSnapshot();
        if (status !== last && status === "unauthenticated") loggedOut++;
        last = status;
      });
      const threads = client.createThreadList();
      const stopThreads = threads.subscribe(() => undefined);
      await vi.waitFor(() => expect(t.count("GET", "/api/threads")).toBe(1));
      const meBefore = t.count("GET", "/auth/me");

      // The session dies on the server (e.g. revoked by an admin, or expired).
      const { user } = client.auth.getSnapshot();
      await t.server.sessions.revoke(user!.id);

      // Three requests in parallel all get 401.
      const results = await Promise.allSettled([threads.refresh(), client.auth.refreshSessions(), threads.rename("x", "y")]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected"]);
      await vi.waitFor(() => expect(client.connection.getSnapshot().state).toBe("disconnected"));
      await vi.waitFor(() => expect(client.auth.getSnapshot()).toMatchObject({ status: "unauthenticated", user: null }));

      expect(loggedOut).toBe(1);
      expect(client.socket).toBeNull();
      expect(threads.getSnapshot().threads).toEqual([]);
      // The revocation also dropped the socket; at most one /auth/me asks about it, none loops.
      expect(t.count("GET", "/auth/me") - meBefore).toBeLessThanOrEqual(1);
      const total = t.requests.length;
      await sleep(500); // time under test: no request follows for a while
      expect(t.requests.length).toBe(total);
      stopThreads();
    });
  });
});
