/**
 * The partitioned (CHIPS) cookie mode of an embedding (`embeds.<id>.cookie: "partitioned"`,
 * docs/embed.md section 7), over real HTTP: the token exchange also sets the session cookie
 * with `Secure; SameSite=None; Partitioned; HttpOnly; Path=/`, and every later write of that
 * session's cookie (renewal, logout) carries the same attributes; the default mode still sets
 * no cookie; the embed page tells the iframe the mode; and a cross-site request carrying the
 * partitioned cookie (another page on the host site) is refused and changes nothing.
 * Chromium's side is packages/web/test/e2e/widget-partitioned.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectSocket, echoApp, startTestServer, type TestClient, type TestServer } from "@parlor/test-support";
import { ParlorConfigError, resolveConfig, type ServerOptions } from "parlor";
import { afterEach, describe, expect, it } from "vitest";
import { EMBED_SECRET, HOST_ORIGIN, mintHostToken } from "./helpers/host-token.js";

const STRONG = "a-strong-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

describe("embeds.<id>.cookie in the configuration", () => {
  const resolve = (env: Record<string, string>, options: ServerOptions = {}) =>
    resolveConfig({ appName: "Chat", options: { dataDir: "/nonexistent-parlor-test", ...options }, env: { PARLOR_AUTH_SECRET: STRONG, ...env } });
  const shop = (cookie?: "none" | "partitioned") => ({ embeds: { shop: { secret: EMBED_SECRET, origins: [HOST_ORIGIN], ...(cookie ? { cookie } : {}) } } });

  it('is "none" by default, and "partitioned" from defineApp\'s option or PARLOR_EMBED_<ID>_COOKIE', () => {
    expect(resolve({}, { publicUrl: "https://chat.example", ...shop() }).embeds[0]!.cookie).toBe("none");
    expect(resolve({}, { publicUrl: "https://chat.example", ...shop("partitioned") }).embeds[0]!.cookie).toBe("partitioned");
    expect(resolve({ PARLOR_EMBED_SHOP_COOKIE: "partitioned" }, { publicUrl: "https://chat.example", ...shop("none") }).embeds[0]!.cookie).toBe("partitioned");
    expect(resolve({ PARLOR_EMBED_SHOP_COOKIE: "none" }, { publicUrl: "https://chat.example", ...shop("partitioned") }).embeds[0]!.cookie).toBe("none");
    // Loopback is a secure context: the cookie can be Secure over plain http there.
    expect(resolve({}, { publicUrl: "http://localhost:8000", ...shop("partitioned") }).embeds[0]!.cookie).toBe("partitioned");
  });

  it("refuses partitioned on plain http off loopback, an unknown mode, and SameSite=None for the app's cookie, naming the setting", () => {
    const http = { publicUrl: "http://chat.internal:8000" };
    expect(() => resolve({}, { ...http, ...shop("partitioned") })).toThrow(ParlorConfigError);
    expect(() => resolve({}, { ...http, ...shop("partitioned") })).toThrow(
      /^embeds\.shop\.cookie "partitioned" needs a Secure cookie, and http:\/\/chat\.internal:8000 is plain http/,
    );
    expect(() => resolve({ PARLOR_EMBED_SHOP_COOKIE: "partitioned" }, { ...http, ...shop() })).toThrow(
      /^PARLOR_EMBED_SHOP_COOKIE "partitioned" needs a Secure cookie/,
    );
    expect(resolve({}, { ...http, ...shop("none") }).embeds[0]!.cookie).toBe("none");
    expect(() => resolve({ PARLOR_EMBED_SHOP_COOKIE: "chips" }, { publicUrl: "https://chat.example", ...shop() })).toThrow(
      /^PARLOR_EMBED_SHOP_COOKIE must be "none" or "partitioned", got "chips"/,
    );
    expect(() => resolve({}, { publicUrl: "https://chat.example", session: { sameSite: "none" }, ...shop("partitioned") })).toThrow(
      /cannot be combined with session\.sameSite "none"/,
    );
    // A host on Parlor's own host, or a parent or child domain of it, is the same site.
    for (const publicUrl of ["https://shop.example:8443", "https://chat.shop.example", "https://example"]) {
      expect(() => resolve({}, { publicUrl, ...shop("partitioned") }), publicUrl).toThrow(
        /^embeds\.shop\.cookie "partitioned": https:\/\/shop\.example is the same site/,
      );
    }
  });
});

describe("POST /auth/token for a partitioned embedding", () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  /** `shop` is partitioned, `blog` keeps the default; both framed by the host site. */
  async function start(more: ServerOptions = {}) {
    t = await startTestServer({
      app: echoApp(),
      publicHostname: "localhost",
      server: {
        embeds: {
          shop: { secret: EMBED_SECRET, origins: [HOST_ORIGIN], cookie: "partitioned" },
          blog: { secret: EMBED_SECRET, origins: [HOST_ORIGIN] },
        },
        ...more,
      },
    });
    return t;
  }
  const mint = (sub: string, iss = "shop") => mintHostToken(sub, { audience: t!.origin, iat: Math.floor(t!.clock.now() / 1000), issuer: iss });
  /** The iframe's exchange: same-origin, the cookie kept in the client's jar (the iframe's partition). */
  const exchange = async (client: TestClient, token: string) => client.post("/auth/token", { json: { token } });
  const sessionCookieLine = (lines: string[]) => lines.find((line) => line.startsWith(`${t!.server.config.cookie.name}=`));
  const attributesOf = (line: string) =>
    line
      .split(";")
      .slice(1)
      .map((part) => part.trim().split("=")[0]!.toLowerCase())
      .sort();
  const PARTITIONED = ["httponly", "max-age", "partitioned", "path", "samesite", "secure"];

  it("sets the session cookie Secure; SameSite=None; Partitioned; HttpOnly; Path=/, which then signs the iframe in on its own", async () => {
    await start();
    const iframe = t!.client();
    const response = await exchange(iframe, await mint("42"));
    expect(response.status).toBe(200);
    const line = sessionCookieLine(response.headers.getSetCookie());
    expect(line).toBeDefined();
    expect(t!.server.config.cookie.name).toMatch(/^__Host-/); // the app's cookie's own name
    expect(attributesOf(line!)).toEqual(PARTITIONED);
    expect(line).toMatch(/; Path=\/(;|$)/);
    expect(line).toMatch(/; SameSite=None(;|$)/);
    expect(line).not.toMatch(/domain=/i);
    // The cookie holds the session's token: nothing else to keep in the iframe's memory.
    expect(line!.split(";")[0]!.split("=")[1]).toBe(response.body.accessToken);

    // A reload: /auth/me from the cookie alone, a widget session of the embedding; the CSRF
    // token it returns is what the iframe's cookie-mode client sends on unsafe requests.
    const me = await iframe.get("/auth/me");
    expect(me.status).toBe(200);
    expect(me.body.session.client).toBe("widget");
    expect(me.body.user.identifier).toBe("embed:shop:42");
    // A cookie session lives like a web session (renewed, idle and absolute limits), not as
    // one short bearer token.
    const maxAge = t!.server.config.session.maxAge * 1000;
    expect(Math.abs(Date.parse(me.body.session.expiresAt) - (t!.clock.now() + maxAge))).toBeLessThan(1000);
    iframe.csrfToken = me.body.csrfToken;
    const thread = await iframe.post("/api/files", { form: fileForm() });
    expect(thread.status).toBe(201);
  });

  it("renews the cookie with the same attributes past half its life; the app's own cookie keeps its own", async () => {
    await start();
    const iframe = t!.client();
    await exchange(iframe, await mint("42"));
    const main = t!.client();
    await main.login("alice");

    t!.clock.advance((t!.server.config.session.tokenTtl / 2 + 5) * 1000);
    const renewed = await iframe.get("/auth/me");
    expect(renewed.status).toBe(200);
    const line = sessionCookieLine(renewed.headers.getSetCookie());
    expect(line).toBeDefined();
    expect(attributesOf(line!)).toEqual(PARTITIONED);

    const mainRenewed = sessionCookieLine((await main.get("/auth/me")).headers.getSetCookie());
    expect(mainRenewed).toBeDefined();
    expect(attributesOf(mainRenewed!)).toEqual(["httponly", "max-age", "path", "samesite", "secure"]);
    expect(mainRenewed).toMatch(/; SameSite=Lax/);
  });

  it("logout clears it with the same attributes and ends only the iframe's session", async () => {
    await start();
    const iframe = t!.client();
    await exchange(iframe, await mint("42"));
    iframe.csrfToken = (await iframe.get("/auth/me")).body.csrfToken;

    const logout = await iframe.post("/auth/logout");
    expect(logout.status).toBe(204);
    const line = sessionCookieLine(logout.headers.getSetCookie());
    expect(line).toBeDefined();
    expect(line).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(line).toMatch(/; Partitioned/);
    expect(line).toMatch(/; SameSite=None/);
    expect(line).toMatch(/; Secure/);
    expect((await iframe.get("/auth/me")).status).toBe(401);
  });

  it("the default mode sets and clears no cookie, and a cookie made of its bearer token is refused", async () => {
    await start();
    const iframe = t!.client();
    const response = await exchange(iframe, await mint("7", "blog"));
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
    const { accessToken } = response.body;
    expect((await iframe.get("/auth/me", { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(200);
    // Its sessions live on bearer tokens only: the same token planted as the cookie is no session.
    const { csrfToken } = (await iframe.get("/auth/me", { headers: { authorization: `Bearer ${accessToken}` } })).body;
    iframe.sessionCookie = accessToken;
    iframe.csrfToken = csrfToken;
    expect((await iframe.get("/auth/me")).status).toBe(401);
    expect((await iframe.post("/api/files", { form: fileForm() })).status).toBe(401);
    await expect(connectSocket(t!, iframe, { csrfToken })).rejects.toThrow(/Session expired or revoked/);
    // The control: the same handshake with a partitioned embedding's cookie is taken.
    const shopFrame = t!.client();
    await exchange(shopFrame, await mint("8"));
    const shopCsrf = (await shopFrame.get("/auth/me")).body.csrfToken;
    const socket = await connectSocket(t!, shopFrame, { csrfToken: shopCsrf });
    socket.disconnect();
  });

  it("a cross-site POST from another page of the host site, carrying the partitioned cookie, is refused and changes nothing", async () => {
    await start();
    const iframe = t!.client();
    await exchange(iframe, await mint("42"));
    const me = await iframe.get("/auth/me");
    const csrfToken = me.body.csrfToken as string;
    const counts = async () => ({
      sessions: (await t!.server.db.selectFrom("sessions").select("id").where("revoked_at", "is", null).execute()).length,
      files: (await t!.server.db.selectFrom("files").select("id").execute()).length,
      users: (await t!.server.db.selectFrom("users").select("id").execute()).length,
    });
    const before = await counts();

    // In the host site's partition the browser attaches the SameSite=None cookie to the shop
    // page's own requests to Parlor; they come from the shop's origin, cross-site. Even a CSRF
    // token (which that page could not read) would not help: the Origin rule comes first.
    const crossSite = (withToken: boolean) => ({
      origin: HOST_ORIGIN,
      "sec-fetch-site": "cross-site",
      "x-csrf-token": withToken ? csrfToken : undefined,
    });
    for (const withToken of [false, true]) {
      const logout = await iframe.post("/auth/logout", { headers: crossSite(withToken) });
      expect(logout.status).toBe(403);
      expect(logout.body.error.code).toBe("csrf");
      expect(logout.headers.getSetCookie()).toEqual([]);
      const upload = await iframe.post("/api/files", { form: fileForm(), headers: crossSite(withToken) });
      expect(upload.status).toBe(403);
      expect(upload.body.error.code).toBe("csrf");
      const revokeAll = await iframe.delete("/auth/sessions", { headers: crossSite(withToken) });
      expect(revokeAll.status).toBe(403);
    }
    // Without Fetch Metadata (an older browser), the Origin alone refuses it.
    const noMetadata = await iframe.post("/auth/logout", { headers: { origin: HOST_ORIGIN, "sec-fetch-site": undefined, "x-csrf-token": csrfToken } });
    expect(noMetadata.status).toBe(403);
    // A new exchange from the host page itself: the host token is the iframe's to post.
    const planted = await iframe.post("/auth/token", { json: { token: await mint("mallory") }, headers: crossSite(false) });
    expect(planted.status).toBe(403);
    expect(planted.headers.getSetCookie()).toEqual([]);
    // The socket handshake from the shop's origin, with the cookie and the CSRF token.
    await expect(connectSocket(t!, iframe, { origin: HOST_ORIGIN, csrfToken })).rejects.toThrow();

    expect(await counts()).toEqual(before);
    expect((await iframe.get("/auth/me")).status).toBe(200);
  });

  it("the embed page of a partitioned embedding carries the mode for the iframe; the default one does not", async () => {
    const webRoot = mkdtempSync(join(tmpdir(), "parlor-embed-page-"));
    writeFileSync(join(webRoot, "index.html"), "<!doctype html><html><head></head><body></body></html>");
    writeFileSync(join(webRoot, "embed.html"), '<!doctype html><html><head><meta charset="utf-8"></head><body><div id="root"></div></body></html>');
    try {
      await start({ webRoot });
      const page = (id: string) => t!.client().get(`/embed/${id}?host=${encodeURIComponent(HOST_ORIGIN)}`);
      const shop = await page("shop");
      expect(shop.status).toBe(200);
      expect(shop.body).toContain('<head><base href="/" /><meta name="parlor-embed-cookie" content="partitioned" /><meta charset="utf-8">');
      const blog = await page("blog");
      expect(blog.status).toBe(200);
      expect(blog.body).not.toContain("parlor-embed-cookie");
      expect(shop.headers.getSetCookie()).toEqual([]);
    } finally {
      rmSync(webRoot, { recursive: true, force: true });
    }
  });
});

function fileForm(): FormData {
  const form = new FormData();
  form.append("file", new Blob(["hello"], { type: "text/plain" }), "note.txt");
  return form;
}
