import { describe, expect, it } from "vitest";
import { startTestServer, type TestClient, type TestServer } from "@parlor/test-support";
import { PNG } from "./helpers/sample-files.js";

const FRONTEND = "https://app.example.com";

/** A separate frontend on a configured origin may call the API with the cookie; nobody else may. */
describe("CORS for allowedOrigins", () => {
  let t: TestServer;

  const preflight = (origin: string) =>
    fetch(`${t.origin}/auth/logout`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "x-csrf-token" },
    });

  it("answers the preflight of a configured origin, with credentials and the CSRF header allowed", async () => {
    t = await startTestServer({ server: { allowedOrigins: [FRONTEND] } });
    const response = await preflight(FRONTEND);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(FRONTEND);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("x-csrf-token");

    const alice = t.client();
    await alice.login("alice");
    const me = await alice.get("/auth/me", { headers: { origin: FRONTEND, "sec-fetch-site": "cross-site" } });
    expect(me.status).toBe(200);
    expect(me.headers.get("access-control-allow-origin")).toBe(FRONTEND);
  });

  it("allows PUT, the method of feedback on a reply (PUT /api/messages/:id/feedback)", async () => {
    t = await startTestServer({ server: { allowedOrigins: [FRONTEND] } });
    const response = await fetch(`${t.origin}/api/messages/m1/feedback`, {
      method: "OPTIONS",
      headers: { origin: FRONTEND, "access-control-request-method": "PUT", "access-control-request-headers": "content-type,x-csrf-token" },
    });
    expect(response.status).toBe(204);
    expect(
      response.headers
        .get("access-control-allow-methods")
        ?.split(",")
        .map((method) => method.trim()),
    ).toContain("PUT");
  });

  it("grants nothing to other origins, and nothing at all when none is configured", async () => {
    t = await startTestServer({ server: { allowedOrigins: [FRONTEND] } });
    expect((await preflight("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
    await t.stop();

    t = await startTestServer();
    const response = await preflight(FRONTEND);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});

/** What a page on an origin learns when the browser refused it: `GET /auth/cors-check`. */
describe("GET /auth/cors-check", () => {
  let t: TestServer;
  const check = (origin: string | undefined) => fetch(`${t.origin}/auth/cors-check`, { headers: origin === undefined ? {} : { origin } });

  it("tells a refused origin which setting to change, readable from anywhere and without credentials", async () => {
    t = await startTestServer({ server: { allowedOrigins: [FRONTEND] } });
    const refused = await check("https://other.example");
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBe("*");
    expect(refused.headers.get("access-control-allow-credentials")).toBeNull();
    expect(refused.headers.get("cache-control")).toMatch(/no-store/);
    const { error } = (await refused.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("origin_not_allowed");
    expect(error.message).toContain("https://other.example");
    expect(error.message).toContain("PARLOR_ALLOWED_ORIGINS");
    expect(error.message).toContain("server.allowedOrigins");
  });

  it("answers allowed for a configured origin, the app's own origin and a request without Origin", async () => {
    t = await startTestServer({ server: { allowedOrigins: [FRONTEND] } });
    const allowed = await check(FRONTEND);
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ origin: FRONTEND, allowed: true });
    // `*` with credentials is refused by browsers: the CORS plugin's credentialed answer is replaced.
    expect(allowed.headers.get("access-control-allow-origin")).toBe("*");
    expect(allowed.headers.get("access-control-allow-credentials")).toBeNull();
    expect(await (await check(t.origin)).json()).toEqual({ origin: t.origin, allowed: true });
    expect(await (await check(undefined)).json()).toEqual({ origin: null, allowed: true });
  });

  it("refuses every other origin when none is configured, and bounds what it echoes", async () => {
    t = await startTestServer();
    expect((await check(FRONTEND)).status).toBe(403);
    const long = `https://${"a".repeat(5000)}.example`;
    const { error } = (await (await check(long)).json()) as { error: { message: string } };
    expect(error.message.length).toBeLessThan(400);
  });

  it("reads no session: a cookie changes nothing and the answer carries none", async () => {
    t = await startTestServer({ server: { allowedOrigins: [FRONTEND] } });
    const alice = await t.loggedIn("alice");
    const response = await alice.get("/auth/cors-check", { headers: { origin: "https://other.example", "sec-fetch-site": "cross-site" } });
    expect(response.status).toBe(403);
    expect(response.headers.get("set-cookie")).toBeNull();
  });
});

describe("refused origins in the log", () => {
  it("warns once per origin outside allowedOrigins, naming the setting; allowed and own origins stay quiet", async () => {
    const t = await startTestServer({ server: { allowedOrigins: [FRONTEND], logLevel: "warn" }, captureLogs: true });
    const refusals = () => t.logs.filter((line: { msg?: string }) => line.msg?.includes("not in allowedOrigins"));
    for (let i = 0; i < 3; i++) await fetch(`${t.origin}/auth/me`, { headers: { origin: "https://other.example" } });
    await fetch(`${t.origin}/auth/config`, { headers: { origin: FRONTEND } });
    await fetch(`${t.origin}/auth/config`, { headers: { origin: t.origin } });
    await fetch(`${t.origin}/auth/config`, { headers: { origin: "https://third.example", "sec-fetch-site": "same-origin" } });
    expect(refusals()).toHaveLength(1);
    expect(refusals()[0].origin).toBe("https://other.example");
    expect(refusals()[0].msg).toContain("PARLOR_ALLOWED_ORIGINS");

    // A flood of made-up origins: a bounded number of lines, then one that says so.
    for (let i = 0; i < 120; i++) await fetch(`${t.origin}/healthz`, { headers: { origin: `https://site-${i}.example` } });
    expect(refusals()).toHaveLength(100);
    expect(t.logs.filter((line: { msg?: string }) => line.msg?.includes("no more are logged"))).toHaveLength(1);
  });
});

/**
 * Files for a separate frontend: a page on an allowed origin loads them in CORS mode (the
 * browser sends Origin and the cookie; CORP does not apply to CORS requests); nobody else
 * gets CORS headers, and CORP stays `same-origin` for plain `<img>` loads.
 */
describe("file downloads across origins", () => {
  let t: TestServer;
  const upload = async (client: TestClient) => {
    const form = new FormData();
    form.append("file", new Blob([PNG], { type: "image/png" }), "photo.png");
    const uploaded = await client.post("/api/files", { form });
    expect(uploaded.status).toBe(201);
    return uploaded.body as { id: string; url: string };
  };
  const corsGet = (client: TestClient, url: string, origin: string) =>
    fetch(t.origin + url, {
      headers: { cookie: `${client.cookieName}=${client.sessionCookie}`, origin, "sec-fetch-mode": "cors", "sec-fetch-site": "same-site" },
    });

  it("answers an allowed origin with credentialed CORS and Vary: Origin, keeping every file protection", async () => {
    t = await startTestServer({ server: { allowedOrigins: [FRONTEND] } });
    const alice = await t.loggedIn("alice");
    const file = await upload(alice);
    const response = await corsGet(alice, file.url, FRONTEND);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PNG);
    expect(response.headers.get("access-control-allow-origin")).toBe(FRONTEND);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("vary")?.toLowerCase()).toContain("origin");
    expect(response.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(response.headers.get("cache-control")).toMatch(/^private/);

    // A signed URL too (bearer mode's images, loaded with crossorigin="anonymous").
    const signed = await alice.get(`/api/files/${file.id}/signed-url`);
    const bySignature = await fetch(t.origin + (signed.body as { url: string }).url, { headers: { origin: FRONTEND } });
    expect(bySignature.status).toBe(200);
    expect(bySignature.headers.get("access-control-allow-origin")).toBe(FRONTEND);
  });

  it("gives another origin no CORS answer, so its page can read nothing", async () => {
    t = await startTestServer({ server: { allowedOrigins: [FRONTEND] } });
    const alice = await t.loggedIn("alice");
    const file = await upload(alice);
    const response = await corsGet(alice, file.url, "https://evil.example");
    // (The CORS plugin sends Allow-Credentials to everyone; without Allow-Origin it grants nothing.)
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("cross-origin-resource-policy")).toBe("same-origin");
  });
});
