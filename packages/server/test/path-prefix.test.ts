import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ParlorConfigError } from "parlor";
import { resolveConfig } from "../src/config/resolve-config.js";
import { PNG } from "./helpers/sample-files.js";
import { connectSocket, echoApp, freePort, startOidcProvider, startTestServer, TestBrowser, type TestServer } from "@parlor/test-support";

/**
 * PARLOR_PUBLIC_URL=http://127.0.0.1:<port>/chat/: everything is served under /chat/, as it
 * is reached directly or through a proxy that forwards the path unchanged; nothing answers
 * outside it but a redirect from `/` and the process's own `/healthz`.
 */
describe("an app under a path prefix", () => {
  let t: TestServer;
  let root: string;
  beforeAll(async () => {
    // A web build as Vite writes it with `base: "./"`: relative asset URLs only.
    root = mkdtempSync(join(tmpdir(), "parlor-web-"));
    mkdirSync(join(root, "assets"));
    writeFileSync(
      join(root, "index.html"),
      '<!doctype html><html><head><meta charset="UTF-8" /><script src="theme-init.js"></script><script type="module" src="./assets/app-1234.js"></script></head><body></body></html>',
    );
    writeFileSync(join(root, "assets", "app-1234.js"), "console.log('app')");
    writeFileSync(join(root, "theme-init.js"), "// theme");
    writeFileSync(join(root, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
    t = await startTestServer({ basePath: "/chat", server: { webRoot: root } });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const sessionCount = async () =>
    Number(
      (
        await t.server.db
          .selectFrom("sessions")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  /** A request at the root of the host, with what a same-origin page would send. */
  const atRoot = (path: string, init: { method?: string; accept?: string; cookie?: string; json?: unknown } = {}) =>
    fetch(t.origin + path, {
      method: init.method ?? "GET",
      redirect: "manual",
      headers: {
        accept: init.accept ?? "application/json",
        origin: t.origin,
        "sec-fetch-site": "same-origin",
        ...(init.cookie ? { cookie: init.cookie } : {}),
        ...(init.json === undefined ? {} : { "content-type": "application/json" }),
      },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });

  it("derives the base path from the public URL", () => {
    expect(t.server.config.publicUrl.href).toBe(`${t.origin}/chat/`);
    expect(t.server.config.basePath).toBe("/chat");
  });

  it("serves the API under the prefix", async () => {
    const alice = await t.loggedIn("alice");
    expect(alice.basePath).toBe("/chat");
    const me = await alice.get("/auth/me");
    expect(me.status).toBe(200);
    expect(me.body.user.identifier).toBe("alice");
    expect((await alice.get("/api/threads")).status).toBe(200);
    expect((await alice.get("/auth/sessions")).status).toBe(200);
    expect((await alice.get("/auth/config")).status).toBe(200);
  });

  it("answers every path outside the prefix 404 in the JSON shape, and changes nothing", async () => {
    const alice = await t.loggedIn("outside");
    const cookie = `${alice.cookieName}=${alice.sessionCookie}`;
    const before = await sessionCount();
    const login = await atRoot("/auth/login", { method: "POST", json: { username: "mallory", password: "secret" } });
    expect(login.status).toBe(404);
    expect(await login.json()).toEqual({ error: { code: "not_found", message: expect.any(String) } });
    expect(login.headers.get("set-cookie")).toBeNull();
    expect(await sessionCount()).toBe(before);

    // A valid session does not open the API outside the prefix either, nor does a near miss.
    for (const path of [
      "/auth/me",
      "/api/threads",
      "/chatty/auth/me",
      "/chat-api/threads",
      "/Chat/auth/me",
      "/widget.js",
      "/assets/app-1234.js",
      "/theme-init.js",
    ]) {
      const response = await atRoot(path, { cookie });
      expect(response.status, path).toBe(404);
      expect((await response.json()).error.code, path).toBe("not_found");
    }
    // Unsafe requests go through the same checks as everywhere (CSRF first), then find no route.
    const logout = await fetch(`${t.origin}/auth/logout`, {
      method: "POST",
      headers: { cookie, origin: t.origin, "sec-fetch-site": "same-origin", "x-csrf-token": alice.csrfToken! },
    });
    expect(logout.status).toBe(404);
    const noToken = await atRoot("/auth/logout", { method: "POST", cookie });
    expect(noToken.status).toBe(403);
    expect((await noToken.json()).error.code).toBe("csrf");
    expect((await alice.get("/auth/me")).status).toBe(200);
    // A page load outside the prefix is not the app shell either.
    const page = await atRoot("/login", { accept: "text/html" });
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("sends a browser at the root of the host to the prefix, and keeps /healthz at both", async () => {
    const root = await atRoot("/", { accept: "text/html" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/chat/");
    expect(await (await atRoot("/healthz")).json()).toEqual({ status: "ok" });
    expect(await (await atRoot("/chat/healthz")).json()).toEqual({ status: "ok" });
  });

  it("serves the web UI under the prefix, told its base by a <base href> first in its head", async () => {
    for (const path of ["/chat/", "/chat", "/chat/login", "/chat/chat/0abc", "/chat/sessions?x=1", "/chat/index.html"]) {
      const page = await atRoot(path, { accept: "text/html" });
      expect(page.status, path).toBe(200);
      expect(page.headers.get("cache-control"), path).toBe("no-cache");
      const html = await page.text();
      expect(html, path).toMatch(/^<!doctype html><html><head><base href="\/chat\/" \/><meta charset="UTF-8" \/>/);
      expect(html.match(/<base /g), path).toHaveLength(1);
    }
    // The CSP lets that base element name this origin, and nothing else.
    const csp = (await atRoot("/chat/", { accept: "text/html" })).headers.get("content-security-policy")!;
    expect(csp).toContain("base-uri 'self'");
    expect(csp).toContain("script-src 'self'");

    const asset = await atRoot("/chat/assets/app-1234.js", { accept: "*/*" });
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    for (const path of ["/chat/theme-init.js", "/chat/favicon.svg"]) expect((await atRoot(path, { accept: "*/*" })).status, path).toBe(200);
    // API misses under the prefix stay JSON.
    const api = await atRoot("/chat/api/nothing-here", { accept: "text/html" });
    expect(api.status).toBe(404);
    expect((await api.json()).error.code).toBe("not_found");
  });

  it("runs socket.io at <prefix>/socket.io, and nowhere else", async () => {
    const alice = await t.loggedIn("sockets");
    const socket = await t.connect(alice);
    expect(socket.connected).toBe(true);
    await expect(connectSocket(t, alice, { path: "/socket.io" })).rejects.toThrow();
    const polling = await atRoot("/socket.io/?EIO=4&transport=polling");
    expect(polling.status).toBe(404);
    const prefixed = await atRoot("/chat/socket.io/?EIO=4&transport=polling");
    // Reaches engine.io (which refuses a handshake without a session), not Fastify's 404.
    expect(prefixed.status).not.toBe(404);
  });

  it("hands out file URLs and signed file URLs under the prefix, and they work there only", async () => {
    const alice = await t.loggedIn("files");
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(PNG)], { type: "image/png" }), "photo.png");
    const uploaded = await alice.post("/api/files", { form });
    expect(uploaded.status).toBe(201);
    const { id, url } = uploaded.body as { id: string; url: string };
    expect(url).toBe(`/chat/api/files/${id}`);
    const cookie = `${alice.cookieName}=${alice.sessionCookie}`;
    const shown = await fetch(t.origin + url, { headers: { cookie } });
    expect(shown.status).toBe(200);
    expect(Buffer.from(await shown.arrayBuffer())).toEqual(PNG);
    expect((await fetch(`${t.origin}/api/files/${id}`, { headers: { cookie } })).status).toBe(404);

    const signed = await alice.get(`/api/files/${id}/signed-url`);
    expect(signed.status).toBe(200);
    expect(signed.body.url).toMatch(new RegExp(`^/chat/api/files/${id}\\?exp=\\d+&sig=`));
    const anonymous = await fetch(t.origin + signed.body.url);
    expect(anonymous.status).toBe(200);
    expect((await fetch(t.origin + signed.body.url.slice("/chat".length))).status).toBe(404);
  });

  it("refuses a public URL whose path it cannot serve under, at start-up", () => {
    const resolve = (publicUrl: string) => () =>
      resolveConfig({ appName: "x", options: { publicUrl, authSecret: "s".repeat(8) + "0123456789abcdefghijklmnopqrstuv" } });
    expect(resolve("https://example.com/chat/")().basePath).toBe("/chat");
    expect(resolve("https://example.com/a/b")().basePath).toBe("/a/b");
    expect(resolve("https://example.com/")().basePath).toBe("");
    expect(resolve("https://example.com")().basePath).toBe("");
    for (const bad of [
      "https://example.com/chat/?x=1",
      "https://example.com/chat/#top",
      "https://example.com/a%20b/",
      'https://example.com/a"b/',
      "https://example.com/a//b/",
    ]) {
      expect(resolve(bad), bad).toThrow(ParlorConfigError);
    }
  });
});

describe("OAuth under a path prefix", () => {
  const CLIENT_ID = "parlor-test-client";
  const CLIENT_SECRET = "test-client-secret-0123456789-abcdef";

  async function start() {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const op = await startOidcProvider({
      clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [`${origin}/chat/auth/oauth/test/callback`] }],
    });
    const t = await startTestServer({
      port,
      basePath: "/chat",
      app: echoApp({ auth: { oauth: {} } }),
      env: { PARLOR_OAUTH_TEST_CLIENT_ID: CLIENT_ID, PARLOR_OAUTH_TEST_CLIENT_SECRET: CLIENT_SECRET, PARLOR_OAUTH_TEST_ISSUER: op.issuer },
    });
    return { t, origin };
  }

  it("sends the provider a callback URL with the prefix, and the browser back to a path under it", async () => {
    const { t, origin } = await start();
    const browser = new TestBrowser();
    const { callbackUrl, authorizeUrl } = await browser.loginAtProvider(
      `${origin}/chat/auth/oauth/test?returnTo=${encodeURIComponent("/chat/chat/42?tab=files")}`,
    );
    expect(new URL(authorizeUrl).searchParams.get("redirect_uri")).toBe(`${origin}/chat/auth/oauth/test/callback`);
    expect(callbackUrl.startsWith(`${origin}/chat/auth/oauth/test/callback?`)).toBe(true);
    const back = await browser.request(callbackUrl);
    expect(back.status).toBe(302);
    expect(back.location).toBe(`${origin}/chat/chat/42?tab=files`);
    const me = await browser.request(`${origin}/chat/auth/me`);
    expect(me.status).toBe(200);
    expect(t.server.config.basePath).toBe("/chat");
  });

  it("keeps return paths under the prefix: another app's path, a climb out of it, or nothing lands on <prefix>/", async () => {
    const { origin } = await start();
    for (const returnTo of [
      "/b/chat/1",
      "/chat/../b/",
      "/chat/%2e%2e/b/",
      "/chat/%252e%252e/b",
      "/chatty",
      "//evil.example/chat/",
      "https://evil.example/chat/",
      "",
    ]) {
      const browser = new TestBrowser();
      const { callbackUrl } = await browser.loginAtProvider(`${origin}/chat/auth/oauth/test?returnTo=${encodeURIComponent(returnTo)}`);
      const back = await browser.request(callbackUrl);
      expect(back.location, returnTo).toBe(`${origin}/chat/`);
    }
  });

  it("sends a failed login to <prefix>/login with the error code", async () => {
    const { origin } = await start();
    // A callback without the flow cookie: a forged or replayed one.
    const hop = await new TestBrowser().request(`${origin}/chat/auth/oauth/test/callback?code=x&state=y`);
    expect(hop.status).toBe(302);
    expect(hop.location).toBe(`${origin}/chat/login?error=oauth_state`);
  });
});
