import { describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "@parlor/test-support";

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

  it("grants nothing to other origins, and nothing at all when none is configured", async () => {
    t = await startTestServer({ server: { allowedOrigins: [FRONTEND] } });
    expect((await preflight("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
    await t.stop();

    t = await startTestServer();
    const response = await preflight(FRONTEND);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});
