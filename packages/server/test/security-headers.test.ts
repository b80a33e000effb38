import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ThreadStore } from "../src/data/thread-store.js";
import { rawRequest } from "./helpers/raw-http.js";
import { PNG } from "./helpers/sample-files.js";
import { type Response, startTestServer, type TestServer } from "@parlor/test-support";

/** The headers every response must carry, whoever produced it (a route, Fastify, Node, socket.io). */
function expectSecurityHeaders(get: (name: string) => string | null | undefined, label: string) {
  expect(get("x-content-type-options"), label).toBe("nosniff");
  expect(get("x-frame-options"), label).toBe("DENY");
  expect(get("referrer-policy"), label).toBe("no-referrer");
  expect(get("cross-origin-resource-policy"), label).toBe("same-origin");
  const csp = get("content-security-policy") ?? "";
  expect(csp, label).toContain("default-src 'self'");
  expect(csp, label).toContain("frame-ancestors 'none'");
  expect(csp, label).not.toContain("unsafe-inline");
}

/** The web UI's policy, sent on everything but files. */
const STRICT_CSP =
  "default-src 'self';base-uri 'self';connect-src 'self';font-src 'self';form-action 'self';frame-ancestors 'none';" +
  "img-src 'self' data: blob:;media-src 'self' blob:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self';worker-src 'self'";

/** Every security header with its exact value, as the server sends it over http. */
const EXACT_SET: Record<string, string> = {
  "content-security-policy": STRICT_CSP,
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "origin-agent-cluster": "?1",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-dns-prefetch-control": "off",
  "x-download-options": "noopen",
  "x-frame-options": "DENY",
  "x-permitted-cross-domain-policies": "none",
  "x-xss-protection": "0",
};

function expectExactSet(headers: Headers, label: string, overrides: Record<string, string> = {}) {
  for (const [name, value] of Object.entries({ ...EXACT_SET, ...overrides })) expect(headers.get(name), `${label}: ${name}`).toBe(value);
}

describe("security headers", () => {
  let t: TestServer;

  it("sends the security headers on every response, errors included, and no HSTS over http", async () => {
    t = await startTestServer();
    for (const path of ["/healthz", "/auth/me", "/does-not-exist"]) {
      const response = await t.client().get(path);
      expectSecurityHeaders((name) => response.headers.get(name), path);
      expect(response.headers.get("strict-transport-security"), path).toBeNull();
    }
  });

  it("sends the exact set on JSON, the HTML app shell, static assets, 404s and refusals; files keep their own CSP", async () => {
    const root = mkdtempSync(join(tmpdir(), "parlor-web-"));
    try {
      mkdirSync(join(root, "assets"));
      writeFileSync(join(root, "index.html"), "<!doctype html><title>app</title>");
      writeFileSync(join(root, "assets", "app-1234.js"), "console.log('app')");
      t = await startTestServer({ server: { webRoot: root } });
      const alice = t.client();
      await alice.login("alice");
      const form = new FormData();
      form.append("file", new Blob([PNG], { type: "image/png" }), "a.png");
      const uploaded = await alice.post("/api/files", { form });
      const signed = await alice.get(`/api/files/${uploaded.body.id}/signed-url`);
      const html = { headers: { accept: "text/html" } };
      const cases: Array<[string, Response, number]> = [
        ["GET /auth/me", await alice.get("/auth/me"), 200],
        ["GET /auth/me (no session)", await t.client().get("/auth/me"), 401],
        ["POST /auth/logout (bad CSRF token)", await alice.post("/auth/logout", { headers: { "x-csrf-token": "nope" } }), 403],
        ["POST /auth/login (text/plain)", await t.client().post("/auth/login", { body: "x", headers: { "content-type": "text/plain" } }), 415],
        ["POST /api/files", uploaded, 201],
        ["GET / (index.html)", await t.client().get("/", html), 200],
        ["GET /chat/x (app shell fallback)", await t.client().get("/chat/x", html), 200],
        ["GET /assets/app-1234.js", await t.client().get("/assets/app-1234.js"), 200],
        ["GET /api/nope", await t.client().get("/api/nope"), 404],
      ];
      for (const [label, response, status] of cases) {
        expect(response.status, label).toBe(status);
        expectExactSet(response.headers, label);
      }
      const fileCsp = { "content-security-policy": "default-src 'none'; sandbox" };
      const download = await alice.get(uploaded.body.url);
      expect(download.status).toBe(200);
      expectExactSet(download.headers, "file download", fileCsp);
      const signedDownload = await t.client().get(signed.body.url);
      expect(signedDownload.status).toBe(200);
      expectExactSet(signedDownload.headers, "signed file download", fileCsp);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("keeps the connection open after an early answer to a request without a body", async () => {
    // The session check answers 401 synchronously, before Node marks even a bodiless request
    // complete: only a request whose body is still unread may lose its connection.
    t = await startTestServer();
    const host = new URL(t.origin).host;
    const raw = await rawRequest(t.origin, `GET /auth/me HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 300);
    expect(raw.status).toBe(401);
    expect(raw.headers.connection).toBe("keep-alive");
    expect(raw.closedByServer).toBe(false);
  });

  it("keeps them on the embed page and widget.js, apart from the framing and resource policies embedding needs", async () => {
    const origins = ["https://shop.example"];
    t = await startTestServer({ server: { embeds: { shop: { secret: "shop-embed-secret-0123456789-abcdefghij", origins } } } });
    const page = await t.client().get("/embed/shop?host=https%3A%2F%2Fshop.example");
    expect(page.status).toBe(200);
    const framed = (name: string) =>
      name === "x-frame-options" ? "DENY" : page.headers.get(name)?.replace("frame-ancestors https://shop.example", "frame-ancestors 'none'");
    expectSecurityHeaders(framed, "/embed/shop");
    expect(page.headers.get("x-frame-options")).toBeNull();
    expect(page.headers.get("content-security-policy")).toMatch(/(^|;)frame-ancestors https:\/\/shop\.example$/);

    const script = await t.client().get("/widget.js");
    const loadable = (name: string) => (name === "cross-origin-resource-policy" ? "same-origin" : script.headers.get(name));
    expectSecurityHeaders(loadable, "/widget.js");
    expect(script.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
  });

  it("sends HSTS when the public URL is https", async () => {
    t = await startTestServer({ server: { publicUrl: "https://chat.example.com" } });
    const response = await t.client().get("/healthz");
    expect(response.headers.get("strict-transport-security")).toMatch(/max-age=31536000/);
  });

  it("sends them on Fastify's pre-routing errors and the HTTP parser's errors, without echoing the URL", async () => {
    t = await startTestServer();
    const cases: Array<[label: string, path: string, status: number, method: string]> = [
      ["malformed escape", "/%", 400, "GET"],
      ["bad escape in a path", "/a%zz/<script>", 400, "GET"],
      ["route parameter too long", `/auth/sessions/${"x".repeat(300)}`, 414, "DELETE"],
      ["URL larger than the header limit", `/${"a".repeat(20_000)}`, 431, "GET"],
    ];
    for (const [label, path, status, method] of cases) {
      const response = await rawRequest(t.origin, `${method} ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(response.status, label).toBe(status);
      expectSecurityHeaders((name) => response.headers[name], label);
      expect(response.headers["cache-control"], label).toBe("no-store");
      expect(JSON.parse(response.body), label).toEqual({ error: { code: "invalid_request", message: expect.any(String) } });
      expect(response.body, label).not.toContain(path.slice(1, 40));
    }
  });

  it("sends them on a request Node cannot parse at all", async () => {
    t = await startTestServer();
    const response = await rawRequest(t.origin, "GET /<script> HTTP/1.1\r\nBad Header\r\n\r\n");
    expect(response.status).toBe(400);
    expectSecurityHeaders((name) => response.headers[name], "unparsable");
    expect(JSON.parse(response.body)).toEqual({ error: { code: "invalid_request", message: expect.any(String) } });
    expect(response.closedByServer).toBe(true);
  });

  it("never echoes the requested path in a 404", async () => {
    t = await startTestServer();
    const attack = "/<script>alert(1)</script>";
    const raw = await rawRequest(t.origin, `GET ${attack} HTTP/1.1\r\nHost: ${new URL(t.origin).host}\r\nConnection: close\r\n\r\n`);
    const viaFetch = await t.client().get("/api/<img src=x onerror=alert(1)>");
    for (const [label, status, body, get] of [
      ["raw", raw.status, raw.body, (name: string) => raw.headers[name]],
      ["fetch", viaFetch.status, viaFetch.bytes.toString(), (name: string) => viaFetch.headers.get(name)],
    ] as const) {
      expect(status, label).toBe(404);
      expect(JSON.parse(body), label).toEqual({ error: { code: "not_found", message: "No such route" } });
      expect(body, label).not.toMatch(/script|img|alert|%3C/i);
      expectSecurityHeaders(get, label);
    }
  });

  it("sends them on socket.io's long-polling responses", async () => {
    t = await startTestServer();
    // Handshakes are screened for a session before engine.io keeps anything (allowHandshake).
    const alice = t.client();
    await alice.login("alice");
    const open = await alice.get("/socket.io/?EIO=4&transport=polling");
    expect(open.status).toBe(200);
    expect(String(open.body)).toMatch(/^0\{"sid"/);
    expectSecurityHeaders((name) => open.headers.get(name), "polling handshake");
    const sid = JSON.parse(String(open.body).slice(1)).sid;
    // A POST on the session answers "ok" through the same transport.
    const post = await alice.post(`/socket.io/?EIO=4&transport=polling&sid=${sid}`, {
      body: "40",
      headers: { "content-type": "text/plain;charset=UTF-8" },
    });
    expect(post.status).toBe(200);
    expectSecurityHeaders((name) => post.headers.get(name), "polling post");
  });
});

describe("Cache-Control", () => {
  let t: TestServer;

  it("is no-store on every /auth/* response and every per-user JSON response", async () => {
    t = await startTestServer();
    const alice = t.client();
    const login = await alice.login("alice");
    const thread = await new ThreadStore(t.server.db).createThread((await alice.get("/auth/me")).body.user.id, "Plans", t.clock.now());
    const form = new FormData();
    form.append("file", new Blob([PNG], { type: "image/png" }), "a.png");
    const uploaded = await alice.post("/api/files", { form });
    expect(uploaded.status).toBe(201);
    const sessions = await alice.get("/auth/sessions");

    const responses: Array<[string, Response]> = [
      ["GET /auth/config", await t.client().get("/auth/config")],
      ["POST /auth/login", login],
      ["POST /auth/login (wrong password)", await t.client().login("alice", "nope")],
      ["GET /auth/me", await alice.get("/auth/me")],
      ["GET /auth/me (no session)", await t.client().get("/auth/me")],
      ["GET /auth/sessions", sessions],
      ["GET /api/threads", await alice.get("/api/threads")],
      ["GET /api/threads/:id", await alice.get(`/api/threads/${thread.id}`)],
      ["PATCH /api/threads/:id", await alice.request("PATCH", `/api/threads/${thread.id}`, { json: { name: "Renamed" } })],
      ["POST /api/files", uploaded],
      ["GET /api/files/:id/signed-url", await alice.get(`/api/files/${uploaded.body.id}/signed-url`)],
      ["GET /api/files/:id (unknown)", await alice.get("/api/files/0000000000000nosuchfile000")],
      ["GET /healthz", await t.client().get("/healthz")],
    ];
    const other = t.client();
    await other.login("alice");
    const otherId = (await other.get("/auth/me")).body.session.id;
    responses.push(
      ["DELETE /auth/sessions/:id", await alice.delete(`/auth/sessions/${otherId}`)],
      ["DELETE /api/threads/:id", await alice.delete(`/api/threads/${thread.id}`)],
      ["POST /auth/logout", await alice.post("/auth/logout")],
    );
    for (const [label, response] of responses) {
      expect(response.status, label).toBeLessThan(500);
      expect(response.headers.get("cache-control"), label).toBe("no-store");
    }
  });

  it("leaves file downloads revalidated (private, no-cache), not no-store", async () => {
    t = await startTestServer();
    const alice = t.client();
    await alice.login("alice");
    const form = new FormData();
    form.append("file", new Blob([PNG], { type: "image/png" }), "a.png");
    const uploaded = await alice.post("/api/files", { form });
    const download = await alice.get(uploaded.body.url);
    expect(download.status).toBe(200);
    expect(download.headers.get("cache-control")).toBe("private, no-cache");
  });
});
