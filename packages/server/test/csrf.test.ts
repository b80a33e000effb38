import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestClient, type TestServer } from "./helpers/test-server.js";

/**
 * CSRF as an attacker tries it: the victim's browser carries a valid session cookie, and
 * a page on another site makes it send unsafe requests. Each must get 403 `csrf` and change
 * nothing.
 */
describe("CSRF", () => {
  let t: TestServer;
  let victim: TestClient;
  afterEach(async () => t.stop());

  const start = async (server = {}) => {
    t = await startTestServer({ server });
    victim = t.client();
    await victim.login("victim");
  };

  const sessionCount = async () => (await t.server.db.selectFrom("sessions").select("id").where("revoked_at", "is", null).execute()).length;

  const expectCsrfRefusal = async (response: { status: number; body: any }) => {
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ error: { code: "csrf", message: expect.any(String) } });
    expect((await victim.get("/auth/me")).status).toBe(200); // the session survived
  };

  it("refuses a cross-site fetch POST even with a (somehow known) CSRF token", async () => {
    await start();
    await expectCsrfRefusal(await victim.post("/auth/logout", { headers: { "sec-fetch-site": "cross-site", origin: "https://evil.example" } }));
  });

  it("refuses an auto-submitted cross-site HTML form (no custom header possible)", async () => {
    await start();
    await expectCsrfRefusal(
      await victim.post("/auth/logout", {
        body: "x=1",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "sec-fetch-site": "cross-site",
          origin: "https://evil.example",
          "x-csrf-token": undefined,
        },
      }),
    );
  });

  it("refuses a foreign Origin from a browser without Fetch Metadata", async () => {
    await start();
    await expectCsrfRefusal(await victim.delete("/auth/sessions", { headers: { "sec-fetch-site": undefined, origin: "https://evil.example" } }));
  });

  it("refuses `Origin: null` (sandboxed frames, data: URLs)", async () => {
    await start();
    await expectCsrfRefusal(await victim.post("/auth/logout", { headers: { "sec-fetch-site": undefined, origin: "null" } }));
  });

  it("refuses an unsafe request with neither Fetch Metadata, Origin nor Referer", async () => {
    await start();
    await expectCsrfRefusal(await victim.post("/auth/logout", { headers: { "sec-fetch-site": undefined, origin: undefined } }));
  });

  it("refuses a same-origin request without the X-CSRF-Token header", async () => {
    await start();
    await expectCsrfRefusal(await victim.post("/auth/logout", { headers: { "x-csrf-token": undefined } }));
  });

  it("refuses a wrong token and another session's token", async () => {
    await start();
    await expectCsrfRefusal(await victim.post("/auth/logout", { headers: { "x-csrf-token": "A".repeat(43) } }));
    const mallory = t.client();
    await mallory.login("mallory");
    await expectCsrfRefusal(await victim.post("/auth/logout", { headers: { "x-csrf-token": mallory.csrfToken! } }));
  });

  it("refuses 'same-site' unless configured, then accepts it", async () => {
    await start();
    await expectCsrfRefusal(await victim.post("/auth/logout", { headers: { "sec-fetch-site": "same-site", origin: "https://sub.example" } }));
    await t.stop();

    await start({ csrf: { allowSameSite: true } });
    const response = await victim.post("/auth/logout", { headers: { "sec-fetch-site": "same-site", origin: "https://sub.example" } });
    expect(response.status).toBe(204);
  });

  it("accepts a configured extra origin", async () => {
    await start({ allowedOrigins: ["https://app.example.com"] });
    const response = await victim.get("/auth/sessions", {});
    expect(response.status).toBe(200);
    const logout = await victim.post("/auth/logout", { headers: { "sec-fetch-site": "cross-site", origin: "https://app.example.com" } });
    expect(logout.status).toBe(204);
  });

  it("accepts a same-origin Referer when Origin and Fetch Metadata are absent", async () => {
    await start();
    const response = await victim.post("/auth/logout", {
      headers: { "sec-fetch-site": undefined, origin: undefined, referer: `${victim.origin}/chat` },
    });
    expect(response.status).toBe(204);
  });

  it("does not ask bearer-authenticated requests for a CSRF token (no ambient credential)", async () => {
    await start();
    const token = victim.sessionCookie!;
    const api = t.client();
    const response = await api.post("/auth/logout", {
      headers: { authorization: `Bearer ${token}`, "sec-fetch-site": undefined, origin: undefined },
    });
    expect(response.status).toBe(204);
    expect((await victim.get("/auth/me")).status).toBe(401);
  });

  describe("login (no session yet)", () => {
    it("refuses a cross-site login POST (login CSRF) and creates nothing", async () => {
      await start();
      const before = await sessionCount();
      const attempt = await t.client().post("/auth/login", {
        json: { username: "attacker", password: "correct horse battery staple" },
        headers: { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
      });
      expect(attempt.status).toBe(403);
      expect(attempt.body.error.code).toBe("csrf");
      expect(attempt.headers.getSetCookie()).toEqual([]);
      expect(await sessionCount()).toBe(before);
    });

    it("refuses a login without any origin information", async () => {
      await start();
      const attempt = await t.client().post("/auth/login", {
        json: { username: "attacker", password: "correct horse battery staple" },
        headers: { "sec-fetch-site": undefined, origin: undefined },
      });
      expect(attempt.status).toBe(403);
    });

    it("accepts a login whose Origin is the server's own (older browsers)", async () => {
      await start();
      const attempt = await t.client().post("/auth/login", {
        json: { username: "carol", password: "correct horse battery staple" },
        headers: { "sec-fetch-site": undefined },
      });
      expect(attempt.status).toBe(200);
    });
  });
});
