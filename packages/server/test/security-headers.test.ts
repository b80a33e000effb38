import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

describe("security headers", () => {
  let t: TestServer;
  afterEach(async () => t.stop());

  it("sends helmet's headers on every response, errors included, and no HSTS over http", async () => {
    t = await startTestServer();
    for (const path of ["/healthz", "/auth/me", "/does-not-exist"]) {
      const response = await t.client().get(path);
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      const csp = response.headers.get("content-security-policy")!;
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain("unsafe-inline");
      expect(response.headers.get("strict-transport-security"), path).toBeNull();
    }
  });

  it("sends HSTS when the public URL is https", async () => {
    t = await startTestServer({ server: { publicUrl: "https://chat.example.com" } });
    const response = await t.client().get("/healthz");
    expect(response.headers.get("strict-transport-security")).toMatch(/max-age=31536000/);
  });
});
