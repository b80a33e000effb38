import { describe, expect, it } from "vitest";
import { CookieJar, connectSocket, echoApp, startPathProxy, startTestServer, TestClient, type TestServer } from "@parlor/test-support";

/**
 * Two Parlor apps of the same name, sharing PARLOR_AUTH_SECRET, at /a/ and /b/ of one host
 * behind one proxy that forwards paths unchanged. One browser (one cookie jar for the
 * proxy's origin, so both cookies ride on every request, as they do in a browser) is logged
 * in to both.
 */
describe("two apps at /a/ and /b/ of one host", () => {
  async function startBoth() {
    const proxy = await startPathProxy();
    const start = async (prefix: string) => {
      const app = await startTestServer({ app: echoApp({ name: "Chat" }), publicHostname: "localhost", server: { publicUrl: `${proxy.origin}${prefix}/` } });
      proxy.route(prefix, app.port);
      return app;
    };
    const a = await start("/a");
    const b = await start("/b");
    /** A tab of `jar`'s browser on app `t` (through the proxy). */
    const tab = (t: TestServer, prefix: string, jar: CookieJar) => new TestClient(proxy.origin, t.server.config.cookie.name, jar, prefix);
    return { proxy, a, b, tab };
  }

  it("keeps two sessions apart in one browser: names, audiences and keys differ by path", async () => {
    const { proxy, a, b, tab } = await startBoth();
    expect(a.server.config.secrets.current).toBe(b.server.config.secrets.current);
    expect(a.server.config.cookie.name).not.toBe(b.server.config.cookie.name);
    expect(a.server.config.cookie.name).toMatch(/^__Host-parlor-chat-/);
    expect(a.server.config.appId).toBe(`Chat@${proxy.origin}/a/`);
    expect(b.server.config.appId).toBe(`Chat@${proxy.origin}/b/`);

    const jar = new CookieJar(proxy.origin);
    const inA = tab(a, "/a", jar);
    const inB = tab(b, "/b", jar);
    expect((await inA.login("alice")).status).toBe(200);
    const csrfA = inA.csrfToken;
    expect((await inB.login("bob")).status).toBe(200);
    inA.csrfToken = csrfA;
    // Both cookies are in the one jar and go to both apps; each reads its own.
    expect([...jar.cookies(proxy.origin).keys()].sort()).toEqual([a.server.config.cookie.name, b.server.config.cookie.name].sort());
    expect((await inA.get("/auth/me")).body.user.identifier).toBe("alice");
    expect((await inB.get("/auth/me")).body.user.identifier).toBe("bob");
    expect(proxy.forwarded).toContain("POST /a/auth/login");
    expect(proxy.forwarded).toContain("POST /b/auth/login");
  });

  it("logging out of one, or out everywhere, never touches the other's session or sockets", async () => {
    const { proxy, a, b, tab } = await startBoth();
    const jar = new CookieJar(proxy.origin);
    const inA = tab(a, "/a", new CookieJar(proxy.origin, {}));
    // One browser logged in to both, and a second browser in app a.
    const browserA = tab(a, "/a", jar);
    const browserB = tab(b, "/b", jar);
    await inA.login("alice");
    await browserA.login("alice");
    const csrfA = browserA.csrfToken;
    await browserB.login("alice");
    const csrfB = browserB.csrfToken;
    const socketB = await connectSocket({ origin: proxy.origin }, browserB, { path: "/b/socket.io", csrfToken: csrfB });
    const socketA = await connectSocket({ origin: proxy.origin }, browserA, { path: "/a/socket.io", csrfToken: csrfA });

    const droppedA = new Promise((dropped) => socketA.once("disconnect", dropped));
    browserA.csrfToken = csrfA;
    const logout = await browserA.post("/auth/logout");
    expect(logout.status).toBe(204);
    expect((await browserA.get("/auth/me")).status).toBe(401);
    await droppedA;
    browserB.csrfToken = csrfB;
    expect((await browserB.get("/auth/me")).status).toBe(200);
    expect(jar.cookies(proxy.origin).has(b.server.config.cookie.name)).toBe(true);

    // "Sign out everywhere" in a: every session of alice in a ends, b's stays, with its socket.
    const everywhere = await inA.delete("/auth/sessions");
    expect(everywhere.status).toBe(204);
    expect((await inA.get("/auth/me")).status).toBe(401);
    browserB.csrfToken = csrfB;
    expect((await browserB.get("/auth/me")).status).toBe(200);
    expect(socketB.connected).toBe(true);
    const sessionsOfB = await b.server.db.selectFrom("sessions").select("revoked_at").execute();
    expect(sessionsOfB).toEqual([{ revoked_at: null }]);
  });

  it("refuses one app's cookie value as the other's session, as a cookie or a bearer token, over HTTP and socket.io", async () => {
    const { proxy, a, b, tab } = await startBoth();
    const jar = new CookieJar(proxy.origin);
    const inA = tab(a, "/a", jar);
    await inA.login("alice");
    const stolen = jar.cookies(proxy.origin).get(a.server.config.cookie.name)!;
    const claims = JSON.parse(Buffer.from(stolen.split(".")[1]!, "base64url").toString()) as { aud: string };
    expect(claims.aud).toBe(a.server.config.appId);

    // Planted under b's name in another browser: refused, and nothing is created in b.
    const other = new CookieJar(proxy.origin);
    other.cookies(proxy.origin).set(b.server.config.cookie.name, stolen);
    const inB = tab(b, "/b", other);
    const me = await inB.get("/auth/me");
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe("unauthenticated");
    const bearer = await new TestClient(proxy.origin, b.server.config.cookie.name, new CookieJar(proxy.origin), "/b").get("/api/threads", {
      headers: { authorization: `Bearer ${stolen}` },
    });
    expect(bearer.status).toBe(401);
    await expect(connectSocket({ origin: proxy.origin }, inB, { path: "/b/socket.io" })).rejects.toThrow();
    // a's cookie sent to b under its own name is not a session of b either.
    const carried = new CookieJar(proxy.origin);
    carried.cookies(proxy.origin).set(a.server.config.cookie.name, stolen);
    expect((await tab(b, "/b", carried).get("/auth/me")).status).toBe(401);
    expect(await b.server.db.selectFrom("sessions").selectAll().execute()).toEqual([]);
  });
});
