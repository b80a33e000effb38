import { createServer as createNetServer } from "node:net";
import { describe, expect, it } from "vitest";
import { ParlorConfigError, type AppDefinition } from "parlor";
import { FlowCookieCodec, type OAuthFlow } from "../src/auth/oauth/flow-cookie.js";
import type { OAuthProfile, OAuthProviderInfo, OAuthTokens } from "../src/auth/oauth/oauth-types.js";
import { ProviderTokens } from "../src/auth/oauth/provider-tokens.js";
import { resolveOAuthProviders } from "../src/config/oauth-providers.js";
import { deriveKeyRing } from "../src/crypto/key-ring.js";
import { oauthProvidersFromEnv } from "../src/config/env-options.js";
import { ProviderTokenStore } from "../src/data/provider-token-store.js";
import { dialects, echoApp, type Hop, startOidcProvider, startTestServer, TestBrowser, type TestOidcProvider, type TestServer } from "@parlor/test-support";

const CLIENT_ID = "parlor-test-client";
const CLIENT_SECRET = "test-client-secret-0123456789-abcdef";

/** A free loopback port: Parlor's public URL (and so the redirect URI) must be known before it starts. */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.each(dialects)("OAuth / OpenID Connect login against a real OpenID provider on $name", (dialect) => {
  let t: TestServer | undefined;
  let op: TestOidcProvider | undefined;
  let other: TestOidcProvider | undefined;
  let origin: string;

  /** Parlor with provider `test` (the OpenID provider) and `other` (same provider, another id). */
  async function start(auth: AppDefinition["auth"] = { oauth: {} }, env: Record<string, string> = {}) {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    op = await startOidcProvider({
      clients: [
        {
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          redirectUris: [`${origin}/auth/oauth/test/callback`, `${origin}/auth/oauth/other/callback`],
        },
      ],
    });
    t = await startTestServer({
      dialect,
      port,
      app: echoApp({ auth }),
      server: { publicUrl: origin },
      env: {
        PARLOR_OAUTH_TEST_CLIENT_ID: CLIENT_ID,
        PARLOR_OAUTH_TEST_CLIENT_SECRET: CLIENT_SECRET,
        PARLOR_OAUTH_TEST_ISSUER: op.issuer,
        PARLOR_OAUTH_TEST_NAME: "Test IdP",
        PARLOR_OAUTH_OTHER_CLIENT_ID: CLIENT_ID,
        PARLOR_OAUTH_OTHER_CLIENT_SECRET: CLIENT_SECRET,
        PARLOR_OAUTH_OTHER_ISSUER: op.issuer,
        ...env,
      },
    });
    return t;
  }

  const flowCookieName = () => `${t!.server.config.cookie.name}-oauth`;
  /** The server's own flow sealing, as a test with the secret (never an attacker) can use it. */
  const flowCodec = () => new FlowCookieCodec(deriveKeyRing(t!.server.config, "oauth-flow"));
  const sessionCookieName = () => t!.server.config.cookie.name;
  const count = async (table: "users" | "sessions" | "session_provider_tokens") =>
    Number(
      (
        await t!.server.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** The browser is back at /login with the code, no session cookie was set, and no row was written. */
  async function expectRefused(hop: Hop, code: string) {
    expect(hop.status).toBe(302);
    expect(hop.location).toBe(`${origin}/login?error=${code}`);
    expect(hop.setCookies.some((line) => line.startsWith(`${sessionCookieName()}=`))).toBe(false);
    expect(hop.setCookies.find((line) => line.startsWith(`${flowCookieName()}=`))).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    expect(await count("users")).toBe(0);
    expect(await count("sessions")).toBe(0);
  }

  async function editFlowCookie(browser: TestBrowser, change: (flow: OAuthFlow) => OAuthFlow) {
    const cookies = browser.cookies(origin);
    const flow = await flowCodec().open(cookies.get(flowCookieName())!, t!.clock.now());
    expect(flow).not.toBeNull();
    cookies.set(flowCookieName(), await flowCodec().seal(change(flow!), t!.clock.now()));
  }

  /** `/auth/me` with the browser's session cookie. */
  async function me(browser: TestBrowser) {
    const hop = await browser.request(`${origin}/auth/me`);
    return { status: hop.status, body: hop.status === 200 ? JSON.parse(hop.body) : hop.body };
  }

  it("completes the code flow over HTTP and ends with a Parlor session, like a password login", async () => {
    await start();
    const browser = new TestBrowser();
    const { callbackUrl, authorizeUrl, hops } = await browser.loginAtProvider(
      `${origin}/auth/oauth/test?returnTo=${encodeURIComponent("/threads/42?tab=files")}`,
    );

    // The redirect to the provider: code flow, PKCE S256, state and nonce, our callback.
    const authorize = new URL(authorizeUrl);
    expect(authorize.origin).toBe(op!.issuer);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: CLIENT_ID,
      response_type: "code",
      redirect_uri: `${origin}/auth/oauth/test/callback`,
      scope: "openid email profile",
      code_challenge_method: "S256",
    });
    for (const param of ["state", "nonce", "code_challenge"]) expect(authorize.searchParams.get(param)).toMatch(/^[\w-]{43,}$/);
    expect(hops[0]!.setCookies).toHaveLength(1);

    // The flow cookie: encrypted, HttpOnly, Lax, host-only (`__Host-`, Path=/, no Domain), ten minutes.
    const flowCookie = hops[0]!.setCookies[0]!;
    expect(flowCookie).toMatch(new RegExp(`^${flowCookieName()}=[\\w-]+\\.\\.[\\w-]+\\.[\\w-]+\\.[\\w-]+;`)); // JWE, dir
    expect(flowCookie).toMatch(/^__Host-/);
    expect(flowCookie).toMatch(/; Max-Age=600/);
    expect(flowCookie).toMatch(/; Path=\/(;|$)/);
    expect(flowCookie).not.toMatch(/; Domain=/i);
    expect(flowCookie).toMatch(/; HttpOnly/);
    expect(flowCookie).toMatch(/; Secure/);
    expect(flowCookie).toMatch(/; SameSite=Lax/);
    expect(flowCookie).not.toContain(authorize.searchParams.get("state")!);
    expect(flowCookie).not.toContain(authorize.searchParams.get("nonce")!);

    // Back at Parlor: a session, the flow cookie cleared, and the browser sent where it asked.
    const callback = await browser.request(callbackUrl);
    expect(callback.status).toBe(302);
    expect(callback.location).toBe(`${origin}/threads/42?tab=files`);
    expect(callback.headers.get("cache-control")).toBe("no-store");
    const sessionCookie = callback.setCookies.find((line) => line.startsWith(`${sessionCookieName()}=`))!;
    expect(sessionCookie).toMatch(/; HttpOnly/);
    expect(sessionCookie).toMatch(/; Path=\/(;|$)/);
    expect(sessionCookie).toMatch(/; SameSite=Lax/);
    expect(browser.cookies(origin).has(flowCookieName())).toBe(false);

    const session = await me(browser);
    expect(session.status).toBe(200);
    expect(session.body.user).toMatchObject({ identifier: "test:alice", displayName: "Test alice" });
    expect(session.body.session.client).toBe("web");
    const users = await t!.server.db.selectFrom("users").selectAll().execute();
    expect(users.map((user) => user.identifier)).toEqual(["test:alice"]);
    expect(await count("sessions")).toBe(1);
    expect(await count("session_provider_tokens")).toBe(0); // not asked for
    expect(op!.tokenRequests).toBe(1);

    // The same session works for the rest of the API, e.g. logout with CSRF.
    const api = t!.client();
    api.sessionCookie = browser.cookies(origin).get(sessionCookieName())!;
    api.csrfToken = session.body.csrfToken;
    expect((await api.post("/auth/logout")).status).toBe(204);
  });

  it("lists the configured providers in /auth/config", async () => {
    await start({ oauth: {}, password: () => null });
    const config = await t!.client().get("/auth/config");
    expect(config.body).toEqual({
      requireLogin: true,
      app: { name: expect.any(String) },
      maxUploadBytes: expect.any(Number),
      password: true,
      header: false,
      oauth: [
        { id: "test", name: "Test IdP" },
        { id: "other", name: "other" },
      ],
      ui: { steps: "collapsed" },
    });
  });

  it("gives the app's callback the provider, tokens, profile and default user, and uses its answer", async () => {
    const calls: Array<[OAuthProviderInfo, OAuthTokens, OAuthProfile, unknown]> = [];
    await start({
      oauth: {
        callback: (provider, tokens, profile, defaultUser) => {
          calls.push([provider, tokens, profile, defaultUser]);
          return { identifier: profile.email!, displayName: "Chosen by the app", metadata: { via: provider.id } };
        },
      },
    });
    const browser = new TestBrowser();
    const { callbackUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test`, "bob");
    const callback = await browser.request(callbackUrl);
    expect(callback.location).toBe(`${origin}/`);

    const [provider, tokens, profile, defaultUser] = calls[0]!;
    expect(provider).toEqual({ id: "test", type: "oidc", name: "Test IdP" });
    expect(tokens).toMatchObject({ accessToken: expect.any(String), tokenType: "bearer", idToken: expect.any(String) });
    expect(tokens.expiresAt!.getTime()).toBeGreaterThan(t!.clock.now());
    expect(profile).toMatchObject({ sub: "bob", name: "Test bob", email: "bob@example.test", emailVerified: true, username: "bob" });
    expect(profile.claims).toMatchObject({ iss: op!.issuer, aud: CLIENT_ID, sub: "bob" });
    expect(defaultUser).toEqual({ identifier: "test:bob", displayName: "Test bob" });
    expect((await me(browser)).body.user).toMatchObject({ identifier: "bob@example.test", displayName: "Chosen by the app" });
    const [user] = await t!.server.db.selectFrom("users").selectAll().execute();
    expect(JSON.parse(user!.metadata)).toEqual({ via: "test" });
  });

  it("refuses the login when the app's callback returns null: oauth_rejected, nothing created", async () => {
    await start({ oauth: { callback: () => null } });
    const browser = new TestBrowser();
    const { callbackUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test`);
    await expectRefused(await browser.request(callbackUrl), "oauth_rejected");
  });

  it("stores the provider's tokens encrypted with the session when asked, and drops them at logout", async () => {
    let seen: OAuthTokens | undefined;
    await start({
      oauth: {
        storeTokens: true,
        callback: (_provider, tokens, _profile, user) => {
          seen = tokens;
          return user;
        },
      },
    });
    const browser = new TestBrowser();
    const { callbackUrl, authorizeUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test`);
    expect(new URL(authorizeUrl).searchParams.get("scope")).toBe("openid email profile");
    await browser.request(callbackUrl);
    const session = await me(browser);
    const [row] = await t!.server.db.selectFrom("session_provider_tokens").selectAll().execute();
    expect(row).toMatchObject({ session_id: session.body.session.id, provider: "test" });
    expect(row!.access_token).not.toContain(seen!.accessToken);
    expect(row!.access_token.split(".")).toHaveLength(5); // JWE compact
    expect(row!.expires_at).toBe(seen!.expiresAt!.getTime());
    // The cookie carries no provider token.
    expect(browser.cookies(origin).get(sessionCookieName())).not.toContain(seen!.accessToken);

    const vault = new ProviderTokens(new ProviderTokenStore(t!.server.db), deriveKeyRing(t!.server.config, "oauth-tokens"));
    expect(await vault.get(session.body.session.id, "test")).toMatchObject({ accessToken: seen!.accessToken });
    expect(await vault.get("another-session-id-0123456789", "test")).toBeNull();
    // A row copied to another session does not decrypt there.
    await t!.server.db.updateTable("session_provider_tokens").set({ provider: "other" }).where("session_id", "=", session.body.session.id).execute();
    expect(await vault.get(session.body.session.id, "other")).toBeNull();

    const api = t!.client();
    api.sessionCookie = browser.cookies(origin).get(sessionCookieName())!;
    api.csrfToken = session.body.csrfToken;
    await api.post("/auth/logout");
    await expect.poll(() => count("session_provider_tokens")).toBe(0);
  });

  it("replaces the browser's previous session, with a new session id", async () => {
    await start({ oauth: {}, password: () => ({ identifier: "alice-by-password" }) });
    const browser = new TestBrowser();
    const login = await browser.request(`${origin}/auth/login`, {
      method: "POST",
      form: { username: "x", password: "y" },
      headers: { "sec-fetch-site": "same-origin" },
    });
    expect(login.status).toBe(200);
    const before = await me(browser);

    const { callbackUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test`);
    await browser.request(callbackUrl);
    const after = await me(browser);
    expect(after.body.session.id).not.toBe(before.body.session.id);
    const sessions = await t!.server.db.selectFrom("sessions").selectAll().orderBy("created_at").execute();
    expect(sessions.find((row) => row.id === before.body.session.id)!.revoked_at).not.toBeNull();
    expect(sessions.find((row) => row.id === after.body.session.id)!.revoked_at).toBeNull();
  });

  describe("refuses, with nothing created", () => {
    it("a state that does not match the flow cookie (oauth_state), before asking the provider", async () => {
      await start();
      const browser = new TestBrowser();
      const { callbackUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test`);
      const forged = new URL(callbackUrl);
      forged.searchParams.set("state", "x".repeat(43));
      await expectRefused(await browser.request(forged.href), "oauth_state");
      expect(op!.tokenRequests).toBe(0);
      // And the flow is spent: the genuine callback no longer works in this browser either.
      await expectRefused(await browser.request(callbackUrl), "oauth_state");
    });

    it("a callback without state", async () => {
      await start();
      const browser = new TestBrowser();
      const { callbackUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test`);
      const stripped = new URL(callbackUrl);
      stripped.searchParams.delete("state");
      await expectRefused(await browser.request(stripped.href), "oauth_state");
    });

    it("a callback without the flow cookie (another browser, or a login CSRF attempt)", async () => {
      await start();
      const victim = new TestBrowser();
      const attacker = new TestBrowser();
      const { callbackUrl } = await attacker.loginAtProvider(`${origin}/auth/oauth/test`, "mallory");
      await expectRefused(await victim.request(callbackUrl), "oauth_state");
      expect(op!.tokenRequests).toBe(0);
    });

    it("another flow's cookie: flow cookies swapped between two logins", async () => {
      await start();
      const first = new TestBrowser();
      const second = new TestBrowser();
      const one = await first.loginAtProvider(`${origin}/auth/oauth/test`, "alice");
      const two = await second.loginAtProvider(`${origin}/auth/oauth/test`, "bob");
      // Each browser comes back with the other's code and state.
      await expectRefused(await first.request(two.callbackUrl), "oauth_state");
      await expectRefused(await second.request(one.callbackUrl), "oauth_state");
      expect(op!.tokenRequests).toBe(0);
    });

    it("a flow started for one provider, returning at another provider's callback", async () => {
      await start();
      const browser = new TestBrowser();
      const { callbackUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test`);
      const elsewhere = callbackUrl.replace("/auth/oauth/test/callback", "/auth/oauth/other/callback");
      await expectRefused(await browser.request(elsewhere), "oauth_state");
    });

    it("a PKCE verifier that does not match the challenge (the provider refuses the code)", async () => {
      await start();
      const browser = new TestBrowser();
      const { callbackUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test`);
      await editFlowCookie(browser, (flow) => ({ ...flow, codeVerifier: "v".repeat(43) }));
      await expectRefused(await browser.request(callbackUrl), "oauth_failed");
      expect(op!.tokenRequests).toBe(1);
    });

    it("an ID token whose nonce is not the flow's", async () => {
      await start();
      const browser = new TestBrowser();
      const { callbackUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test`);
      await editFlowCookie(browser, (flow) => ({ ...flow, nonce: "n".repeat(43) }));
      await expectRefused(await browser.request(callbackUrl), "oauth_failed");
    });

    it("an expired flow cookie (eleven minutes at the provider)", async () => {
      await start();
      const browser = new TestBrowser();
      const { callbackUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test`);
      t!.clock.advance(11 * 60 * 1000);
      await expectRefused(await browser.request(callbackUrl), "oauth_state");
      expect(op!.tokenRequests).toBe(0);
    });

    it("a flow cookie that was tampered with", async () => {
      await start();
      const browser = new TestBrowser();
      const { callbackUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test`);
      const cookies = browser.cookies(origin);
      const sealed = cookies.get(flowCookieName())!;
      const parts = sealed.split(".");
      parts[3] = parts[3]!.slice(0, -2) + (parts[3]!.endsWith("AA") ? "BA" : "AA");
      cookies.set(flowCookieName(), parts.join("."));
      await expectRefused(await browser.request(callbackUrl), "oauth_state");
    });

    it("an ID token from a different issuer (signed with the provider's own key)", async () => {
      await start();
      other = await startOidcProvider({ clients: [] });
      op!.rewriteIdTokens((claims) => ({ claims: { ...claims, iss: other!.issuer } }));
      const browser = new TestBrowser();
      const { callbackUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test`);
      await expectRefused(await browser.request(callbackUrl), "oauth_failed");
      expect(op!.tokenRequests).toBe(1);
    });

    it("an ID token minted by another OpenID provider (its issuer, its key)", async () => {
      await start();
      other = await startOidcProvider({ clients: [] });
      op!.rewriteIdTokens((claims) => ({ claims: { ...claims, iss: other!.issuer }, signWith: other!.signingKey }));
      const browser = new TestBrowser();
      const { callbackUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test`);
      await expectRefused(await browser.request(callbackUrl), "oauth_failed");
    });

    it("an ID token for another client (audience)", async () => {
      await start();
      op!.rewriteIdTokens((claims) => ({ claims: { ...claims, aud: "some-other-client" } }));
      const browser = new TestBrowser();
      const { callbackUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test`);
      await expectRefused(await browser.request(callbackUrl), "oauth_failed");
    });

    it("an expired ID token", async () => {
      await start();
      const past = Math.floor(Date.now() / 1000) - 3600;
      op!.rewriteIdTokens((claims) => ({ claims: { ...claims, iat: past - 60, exp: past } }));
      const browser = new TestBrowser();
      const { callbackUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test`);
      await expectRefused(await browser.request(callbackUrl), "oauth_failed");
    });

    it("an ID token signed with a key that is not the provider's, claims and key id untouched", async () => {
      await start();
      other = await startOidcProvider({ clients: [] });
      const forger = { kid: op!.signingKey.kid, privateKey: other.signingKey.privateKey };
      op!.rewriteIdTokens((claims) => ({ claims, signWith: forger }));
      const browser = new TestBrowser();
      const { callbackUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test`);
      await expectRefused(await browser.request(callbackUrl), "oauth_failed");
    });

    it("the provider's access_denied (the user cancelled at the provider): oauth_denied", async () => {
      await start();
      const browser = new TestBrowser();
      const startHop = await browser.request(`${origin}/auth/oauth/test`);
      const interaction = await browser.request(startHop.location!);
      expect(interaction.location).toMatch(/\/interaction\/[\w-]+$/);
      // The login page's "cancel" link.
      let hop = await browser.request(`${interaction.location}/abort`);
      while (hop.location && new URL(hop.location).origin !== origin) hop = await browser.request(hop.location);
      const callbackUrl = new URL(hop.location!);
      expect(callbackUrl.searchParams.get("error")).toBe("access_denied");
      await expectRefused(await browser.request(callbackUrl.href), "oauth_denied");
      expect(op!.tokenRequests).toBe(0);
    });
  });

  it("refuses a replayed authorization code, whether the flow cookie is replayed with it or re-minted", async () => {
    await start();
    const browser = new TestBrowser();
    const { callbackUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test`);
    const capturedFlowCookie = browser.cookies(origin).get(flowCookieName())!;
    const first = await browser.request(callbackUrl);
    expect(first.location).toBe(`${origin}/`);
    expect((await me(browser)).status).toBe(200);

    // The same URL and the same flow cookie again: Parlor knows this flow was used.
    const attacker = new TestBrowser();
    attacker.cookies(origin).set(flowCookieName(), capturedFlowCookie);
    const replay = await attacker.request(callbackUrl);
    expect(replay.location).toBe(`${origin}/login?error=oauth_state`);
    expect(op!.tokenRequests).toBe(1);

    // A fresh flow cookie with the same secrets (only possible with the server's key): the provider refuses the code.
    const flow = (await flowCodec().open(capturedFlowCookie, t!.clock.now()))!;
    attacker.cookies(origin).set(flowCookieName(), await flowCodec().seal({ ...flow, id: "another-flow-id-0123456789" }, t!.clock.now()));
    const reused = await attacker.request(callbackUrl);
    expect(reused.location).toBe(`${origin}/login?error=oauth_failed`);
    expect(op!.tokenRequests).toBe(2);
    expect(reused.setCookies.some((line) => line.startsWith(`${sessionCookieName()}=`))).toBe(false);
    expect(await count("sessions")).toBe(1);
  });

  it.each([
    ["//evil.com", "/"],
    ["/\\evil.com", "/"],
    ["https://evil.com", "/"],
    ["/%2F%2Fevil.com", "/"],
    ["%2F%2Fevil.com", "/"],
    ["/%5Cevil.com", "/"],
    ["\\\\evil.com", "/"],
    ["/\t/evil.com", "/"],
    ["/\r\nLocation: https://evil.com", "/"],
    ["javascript:alert(1)", "/"],
    ["/.//evil.com", "/"],
    ["/threads/7?q=a%20b", "/threads/7?q=a%20b"],
  ])("sends the browser back only to a same-origin path: returnTo=%j → %s", async (returnTo, landing) => {
    await start();
    const browser = new TestBrowser();
    const { callbackUrl } = await browser.loginAtProvider(`${origin}/auth/oauth/test?returnTo=${encodeURIComponent(returnTo)}`);
    const callback = await browser.request(callbackUrl);
    expect(callback.status).toBe(302);
    expect(callback.location).toBe(`${origin}${landing}`);
    expect((await me(browser)).status).toBe(200);
  });

  it("ignores a flow cookie tossed from a sibling subdomain (login CSRF as the attacker)", async () => {
    await start();
    // The attacker starts a login in their own browser and signs in at the provider as themselves…
    const attacker = new TestBrowser();
    const { callbackUrl } = await attacker.loginAtProvider(`${origin}/auth/oauth/test`, "mallory");
    const attackersFlow = [...attacker.cookies(origin)].find(([name]) => name.endsWith("-oauth"))![1];
    // …then plants that flow in the victim's browser from a sibling subdomain and sends the victim
    // to the callback. A sibling can set any cookie with `Domain=<parent>` except a `__Host-` one
    // (browsers refuse those), so it can only use a name without that prefix.
    const base = sessionCookieName().replace(/^__Host-/, "");
    for (const tossed of [`__Secure-${base}-oauth`, `${base}-oauth`]) {
      const victim = new TestBrowser();
      victim.cookies(origin).set(tossed, attackersFlow);
      await expectRefused(await victim.request(callbackUrl), "oauth_state");
      expect((await me(victim)).status).toBe(401);
    }
    expect(op!.tokenRequests).toBe(0);
    // The attacker's own, genuine flow still works: only the tossed copies were ignored.
    expect((await attacker.request(callbackUrl)).location).toBe(`${origin}/`);
    expect(flowCookieName()).toMatch(/^__Host-/);
  });

  it("refuses a flow cookie minted by another app that shares the secret", async () => {
    await start();
    const env = {
      PARLOR_OAUTH_TEST_CLIENT_ID: CLIENT_ID,
      PARLOR_OAUTH_TEST_CLIENT_SECRET: CLIENT_SECRET,
      PARLOR_OAUTH_TEST_ISSUER: op!.issuer,
    };
    const appA = await startTestServer({ dialect, app: echoApp({ name: "Another App", auth: { oauth: {} } }), env });
    try {
      expect(appA.server.config.secrets.current).toBe(t!.server.config.secrets.current);
      const browser = new TestBrowser();
      const started = await browser.request(`${appA.origin}/auth/oauth/test`);
      const state = new URL(started.location!).searchParams.get("state")!;
      const flowOfA = [...browser.cookies(appA.origin)].find(([name]) => name.endsWith("-oauth"))![1];
      expect(flowOfA).toBeTruthy();

      // Under the name this app gives its own flow cookie.
      const probe = new TestBrowser();
      await probe.request(`${origin}/auth/oauth/test`);
      const ownName = [...probe.cookies(origin).keys()].find((name) => name.endsWith("-oauth"))!;
      browser.cookies(origin).set(ownName, flowOfA);
      await expectRefused(await browser.request(`${origin}/auth/oauth/test/callback?code=some-code&state=${state}`), "oauth_state");
      expect(op!.tokenRequests).toBe(0);
    } finally {
      await appA.stop();
    }
  });

  it("answers 404 for a provider that is not configured", async () => {
    await start();
    const browser = new TestBrowser();
    for (const path of ["/auth/oauth/nope", "/auth/oauth/nope/callback?code=x&state=y"]) {
      const hop = await browser.request(origin + path);
      expect(hop.status).toBe(404);
      expect(JSON.parse(hop.body).error.code).toBe("not_found");
    }
  });

  it("sends the browser to /login?error=oauth_failed when the provider cannot be reached", async () => {
    const closedPort = await freePort();
    await start({ oauth: {} }, { PARLOR_OAUTH_DOWN_CLIENT_ID: "x", PARLOR_OAUTH_DOWN_ISSUER: `http://127.0.0.1:${closedPort}` });
    const hop = await new TestBrowser().request(`${origin}/auth/oauth/down`);
    expect(hop.status).toBe(302);
    expect(hop.location).toBe(`${origin}/login?error=oauth_failed`);
    expect(hop.setCookies).toEqual([]);
  });

  it("redirects to GitHub with state and PKCE, and no nonce (plain OAuth 2)", async () => {
    await start({ oauth: { providers: [{ type: "github", clientId: "gh-client" }] } });
    const browser = new TestBrowser();
    const hop = await browser.request(`${origin}/auth/oauth/github`);
    const url = new URL(hop.location!);
    expect(url.origin + url.pathname).toBe("https://github.com/login/oauth/authorize");
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: "gh-client",
      redirect_uri: `${origin}/auth/oauth/github/callback`,
      scope: "read:user user:email",
      response_type: "code",
      code_challenge_method: "S256",
    });
    expect(url.searchParams.get("state")).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.has("nonce")).toBe(false);
    expect((await t!.client().get("/auth/config")).body.oauth).toContainEqual({ id: "github", name: "GitHub" });
  });
});

describe("OAuth provider configuration", () => {
  const resolve = (auth: AppDefinition["auth"], env: Record<string, string> = {}) => resolveOAuthProviders(auth, oauthProvidersFromEnv(env));

  it("fills in presets, and lets the environment add providers and override the app's settings", () => {
    const providers = resolve(
      {
        oauth: {
          providers: [
            { type: "google", clientId: "from-code" },
            { type: "keycloak", id: "corp", name: "Staff" },
          ],
        },
      },
      {
        PARLOR_OAUTH_GOOGLE_CLIENT_ID: "from-env",
        PARLOR_OAUTH_CORP_CLIENT_ID: "kc",
        PARLOR_OAUTH_CORP_ISSUER: "https://sso.example.com/realms/staff",
        PARLOR_OAUTH_GITHUB_CLIENT_ID: "gh",
        PARLOR_OAUTH_GITHUB_CLIENT_SECRET: "gh-secret",
        PARLOR_OAUTH_ENTRA_CLIENT_ID: "ms",
        PARLOR_OAUTH_ENTRA_TENANT: "72F988BF-86F1-41AF-91AB-2D7CD011DB47",
        PARLOR_OAUTH_MY_SSO_CLIENT_ID: "generic",
        PARLOR_OAUTH_MY_SSO_ISSUER: "https://id.example.com",
        PARLOR_OAUTH_MY_SSO_SCOPES: "openid email",
      },
    );
    const byId = Object.fromEntries(providers.map((p) => [p.id, p]));
    expect(Object.keys(byId)).toEqual(["google", "corp", "github", "entra", "my-sso"]);
    expect(byId.google).toMatchObject({ name: "Google", clientId: "from-env", scopes: ["openid", "email", "profile"] });
    expect(byId.google!.protocol).toEqual({ kind: "oidc", issuer: new URL("https://accounts.google.com") });
    expect(byId.corp).toMatchObject({ type: "keycloak", name: "Staff", clientId: "kc" });
    expect(byId.github).toMatchObject({ type: "github", clientSecret: "gh-secret", scopes: ["read:user", "user:email"] });
    expect(byId.entra!.protocol).toEqual({
      kind: "oidc",
      issuer: new URL("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"),
    });
    expect(byId["my-sso"]).toMatchObject({ type: "oidc", name: "my-sso", scopes: ["openid", "email"] });
  });

  it.each([
    [{ oauth: { providers: [{ type: "okta", clientId: "x" }] } }, {}, /needs its issuer URL .*PARLOR_OAUTH_OKTA_ISSUER/],
    [{ oauth: { providers: [{ type: "github" }] } }, {}, /needs a client id: set PARLOR_OAUTH_GITHUB_CLIENT_ID/],
    [{ oauth: {} }, { PARLOR_OAUTH_X_CLIENT_ID: "x", PARLOR_OAUTH_X_ISSUER: "http://id.example.com" }, /must be https/],
    [{ oauth: {} }, { PARLOR_OAUTH_ENTRA_CLIENT_ID: "x", PARLOR_OAUTH_ENTRA_TENANT: "common" }, /tenant\) ID, a GUID/],
    [{ oauth: {} }, { PARLOR_OAUTH_GITHUB_CLIENTID: "x" }, /not an OAuth setting/],
    [{ oauth: {} }, { PARLOR_OAUTH_CORP_ISSUER: "https://id.example.com" }, /without PARLOR_OAUTH_CORP_CLIENT_ID/],
    [{ oauth: {} }, { PARLOR_OAUTH_CORP_CLIENT_ID: "x", PARLOR_OAUTH_CORP_TYPE: "facebook" }, /unknown provider type "facebook"/],
    [{ oauth: {} }, {}, /no provider is configured/],
    [
      {
        oauth: {
          providers: [
            { type: "google", clientId: "a" },
            { type: "oidc", id: "google", clientId: "b" },
          ],
        },
      },
      {},
      /two providers/,
    ],
    [{ oauth: { providers: [{ type: "oidc", id: "x", clientId: "a", issuer: "https://id.example.com", scopes: ["email"] }] } }, {}, /"openid" scope/],
    [{ oauth: { providers: [{ type: "google", clientId: "a", issuer: "https://evil.example.com" }] } }, {}, /always https:\/\/accounts.google.com/],
  ] as const)("refuses an incomplete or unsafe configuration at start-up (%#)", (auth, env, message) => {
    expect(() => resolve(auth as AppDefinition["auth"], env)).toThrow(ParlorConfigError);
    expect(() => resolve(auth as AppDefinition["auth"], env)).toThrow(message);
  });

  it("checks the shape of auth.oauth in defineApp", () => {
    const bad = (oauth: unknown) => () => echoApp({ auth: { oauth } as AppDefinition["auth"] });
    expect(bad({ providers: [{ type: "facebook" }] })).toThrow(ParlorConfigError);
    expect(bad({ providers: [{ type: "github", clientID: "typo" }] })).toThrow(/auth\.oauth\.providers\.0/);
    expect(bad({ callback: "not a function" })).toThrow(/auth\.oauth\.callback: must be a function/);
    expect(bad({ storeTokens: "yes" })).toThrow(ParlorConfigError);
  });

  it("accepts an app whose only login method is OAuth, and refuses a server that ends up with none", async () => {
    expect(() => echoApp({ auth: { oauth: {} } })).not.toThrow();
    await expect(startTestServer({ app: echoApp({ auth: { oauth: {} } }) })).rejects.toThrow(/no provider is configured/);
  });
});
