import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { startTestServer, type TestServer } from "@parlor/test-support";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMBED_SECRET, HOST_ORIGIN } from "./helpers/host-token.js";

const OTHER_HOST = "http://localhost:5173";
const embeds = {
  shop: { secret: EMBED_SECRET, origins: [HOST_ORIGIN, OTHER_HOST] },
  blog: { secret: EMBED_SECRET.replace("shop", "blog"), origins: ["https://blog.example"] },
};

/** `/widget.js` and `/embed/:id` need the widget's build (`npm run build`), like the browser tests. */
describe("/widget.js and /embed/:id", () => {
  let t: TestServer;
  let webRoot: string;
  beforeAll(async () => {
    t = await startTestServer({ server: { embeds, webRoot: false } });
    webRoot = mkdtempSync(join(tmpdir(), "parlor-web-"));
  });
  afterAll(async () => {
    await t.stop();
    rmSync(webRoot, { recursive: true, force: true });
  });

  /** A request from another site: no cookie, no same-origin headers. */
  const get = (path: string, headers: Record<string, string> = {}) => fetch(t.origin + path, { headers: { "sec-fetch-site": "cross-site", ...headers } });

  it("serves the built widget.js to any site: JavaScript, briefly cacheable with an ETag, cross-origin resource", async () => {
    const built = readFileSync(createRequire(import.meta.url).resolve("@parlor/widget/widget.js"));
    const response = await get("/widget.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(response.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(Buffer.from(await response.arrayBuffer()).equals(built)).toBe(true);

    const etag = response.headers.get("etag")!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const revalidated = await get("/widget.js", { "if-none-match": etag });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe("");
  });

  it("lets exactly the embedding's origins frame /embed/<id>, and keeps the rest of the app unframeable", async () => {
    const response = await get(`/embed/shop?host=${encodeURIComponent(HOST_ORIGIN)}`, { accept: "text/html" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = response.headers.get("content-security-policy")!;
    const directives = csp.split(";").map((directive) => directive.trim());
    expect(directives.filter((directive) => directive.startsWith("frame-ancestors"))).toEqual([`frame-ancestors ${HOST_ORIGIN} ${OTHER_HOST}`]);
    // The rest of the policy is the app's own.
    expect(directives).toEqual(expect.arrayContaining(["default-src 'self'", "script-src 'self'", "object-src 'none'"]));
    expect(response.headers.get("x-frame-options")).toBeNull();
    expect(response.headers.get("cache-control")).toBe("no-store");

    // Another embedding's page lists its own origins only.
    const blog = await get("/embed/blog?host=https%3A%2F%2Fblog.example");
    expect(blog.headers.get("content-security-policy")).toContain("frame-ancestors https://blog.example");
    expect(blog.headers.get("content-security-policy")).not.toContain(HOST_ORIGIN);

    for (const path of ["/healthz", "/widget.js", "/embed/shop?host=https%3A%2F%2Fevil.example"]) {
      const other = await get(path);
      expect(other.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
      expect(other.headers.get("x-frame-options"), path).toBe("DENY");
    }
  });

  it("answers a host that is not one of the embedding's origins with a 403 page, not the chat", async () => {
    for (const host of ["https://evil.example", "https://shop.example.evil.example", `${HOST_ORIGIN}/`, "https://blog.example", ""]) {
      const response = await get(`/embed/shop?host=${encodeURIComponent(host)}`);
      expect(response.status, host).toBe(403);
      expect(response.headers.get("content-type"), host).toBe("text/html; charset=utf-8");
      expect(await response.text(), host).toContain("cannot be embedded on this site");
    }
    expect((await get("/embed/shop")).status).toBe(403);
  });

  it("answers an unknown embedding id with 404", async () => {
    const response = await get(`/embed/nope?host=${encodeURIComponent(HOST_ORIGIN)}`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: "not_found", message: expect.any(String) } });
  });

  it("serves the web UI's embed.html as the page when the UI has one", async () => {
    writeFileSync(join(webRoot, "index.html"), "<!doctype html><title>app</title>");
    writeFileSync(join(webRoot, "embed.html"), '<!doctype html><script type="module" src="/assets/embed-1234.js"></script>');
    const withUi = await startTestServer({ server: { embeds, webRoot } });
    try {
      const response = await fetch(`${withUi.origin}/embed/shop?host=${encodeURIComponent(HOST_ORIGIN)}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("/assets/embed-1234.js");
      expect(response.headers.get("content-security-policy")).toContain(`frame-ancestors ${HOST_ORIGIN}`);
    } finally {
      await withUi.stop();
    }
  });
});
