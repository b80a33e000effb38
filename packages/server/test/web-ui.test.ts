import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "@parlor/test-support";

describe("serving the web UI", () => {
  let t: TestServer;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "parlor-web-"));
    mkdirSync(join(root, "assets"));
    writeFileSync(join(root, "index.html"), '<!doctype html><script type="module" src="/assets/app-1234.js"></script>');
    writeFileSync(join(root, "assets", "app-1234.js"), "console.log('app')");
    t = await startTestServer({ server: { webRoot: root } });
  });
  afterAll(async () => {
    await t.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const get = (path: string, accept = "text/html") => fetch(t.origin + path, { headers: { accept } });

  it("serves index.html at / without a session, never cached, under the strict CSP", async () => {
    const response = await get("/");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("/assets/app-1234.js");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
  });

  it("serves hashed assets with a long cache", async () => {
    const response = await get("/assets/app-1234.js", "*/*");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it("answers client-side routes with the app shell, and API misses with JSON", async () => {
    const route = await get("/chat/0abc");
    expect(route.status).toBe(200);
    expect(await route.text()).toContain("<!doctype html>");
    const api = await get("/api/nothing-here");
    expect(api.status).toBe(404);
    expect((await api.json()).error.code).toBe("not_found");
    const script = await get("/missing.js", "*/*");
    expect(script.status).toBe(404);
  });
});
