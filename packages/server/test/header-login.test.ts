import { describe, expect, it } from "vitest";
import { defineApp } from "parlor";
import { startTestServer, type TestServer } from "@parlor/test-support";

const app = defineApp({
  name: "Proxy App",
  auth: {
    header: (headers) => {
      const user = headers["x-forwarded-user"];
      return typeof user === "string" && user ? { identifier: user, displayName: user.toUpperCase() } : null;
    },
  },
  onMessage: (_message, chat) => chat.send("ok"),
});

describe("trusted-header login", () => {
  let t: TestServer;

  it("logs in from a trusted proxy's headers", async () => {
    t = await startTestServer({ app, server: { trustedProxies: ["loopback"] } });
    const client = t.client();
    const response = await client.post("/auth/header", { headers: { "x-forwarded-user": "dana" } });
    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({ identifier: "dana", displayName: "DANA" });
    expect((await client.get("/auth/me")).body.user.identifier).toBe("dana");
  });

  it("answers 401 when the callback returns null", async () => {
    t = await startTestServer({ app, server: { trustedProxies: ["127.0.0.1"] } });
    const response = await t.client().post("/auth/header");
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("invalid_credentials");
  });

  it("refuses anyone who is not a trusted proxy, whatever X-Forwarded-For says", async () => {
    t = await startTestServer({ app, server: { trustedProxies: ["10.1.2.3"] } });
    const response = await t.client().post("/auth/header", {
      headers: { "x-forwarded-user": "admin", "x-forwarded-for": "10.1.2.3" },
    });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe("forbidden");
    expect(await t.server.db.selectFrom("users").select("id").execute()).toEqual([]);
  });

  it("is off, and says so in /auth/config, when the app has no header callback", async () => {
    t = await startTestServer({ server: { trustedProxies: ["loopback"] } });
    expect((await t.client().get("/auth/config")).body).toEqual({
      requireLogin: true,
      app: { name: "Test App" },
      maxUploadBytes: 20 * 1024 * 1024,
      password: true,
      header: false,
      oauth: [],
      ui: { steps: "collapsed" },
    });
    expect((await t.client().post("/auth/header")).status).toBe(404);
  });

  it("reports header login in /auth/config", async () => {
    t = await startTestServer({ app });
    expect((await t.client().get("/auth/config")).body).toEqual({
      requireLogin: true,
      app: { name: "Proxy App" },
      maxUploadBytes: 20 * 1024 * 1024,
      password: false,
      header: true,
      oauth: [],
      ui: { steps: "collapsed" },
    });
  });
});
