import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, defineApp, ParlorConfigError } from "parlor";
import { echoApp, startTestServer } from "@parlor/test-support";
import { PNG } from "./helpers/sample-files.js";

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="teal"/></svg>';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "parlor-face-"));
  writeFileSync(join(dir, "logo.png"), PNG);
  writeFileSync(join(dir, "logo.svg"), SVG);
  writeFileSync(join(dir, "page.html"), "<!doctype html><script>alert(1)</script>");
  writeFileSync(join(dir, "notes.txt"), "just some text");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const authConfig = async (origin: string, prefix = "") => (await fetch(`${origin}${prefix}/auth/config`)).json() as Promise<Record<string, unknown>>;

describe("defineApp({ ui }): checked when the app is defined", () => {
  const withUi = (ui: unknown) => () => echoApp({ ui } as never);

  it.each([
    ["an unknown key", { logoo: "x.png" }, /ui: Unrecognized key/i],
    ["a colour name", { accentColor: "teal" }, /accentColor must be a hex colour/],
    ["a hex colour without #", { accentColor: "0f766e" }, /accentColor must be a hex colour/],
    ["an http: logo", { logo: "http://cdn.example/logo.png" }, /logo must be an https URL or a local file path/],
    ["a javascript: logo", { logo: "javascript:alert(1)" }, /logo must be an https URL or a local file path/],
    ["a data: logo", { logo: "data:image/svg+xml,<svg/>" }, /logo must be an https URL or a local file path/],
    ["an empty name", { name: "  " }, /ui.name must not be empty/],
  ])("refuses %s", (_what, ui, message) => {
    expect(withUi(ui)).toThrow(ParlorConfigError);
    expect(withUi(ui)).toThrow(message);
  });

  it("accepts a name, a local or https logo and a #rgb or #rrggbb colour", () => {
    expect(withUi({ name: "Acme", logo: "./logo.png", accentColor: "#0F766E" })).not.toThrow();
    expect(withUi({ logo: "https://cdn.example/logo.svg", accentColor: "#abc" })).not.toThrow();
  });
});

describe("a local logo file is read at start-up", () => {
  const start = (logo: string) => createServer(echoApp({ ui: { logo } }), { env: { PARLOR_DATA_DIR: dir } });

  it("fails with ParlorConfigError when the file is missing, naming it", async () => {
    await expect(start(join(dir, "nope.png"))).rejects.toThrow(ParlorConfigError);
    await expect(start(join(dir, "nope.png"))).rejects.toThrow(/ui\.logo: cannot read .*nope\.png/);
  });

  it.each(["page.html", "notes.txt"])("refuses %s, whose bytes are not an image, whatever its name", async (name) => {
    const disguised = join(dir, `${name}.png`);
    writeFileSync(disguised, name === "page.html" ? "<!doctype html><script>alert(1)</script>" : "just some text");
    await expect(start(disguised)).rejects.toThrow(/is not a PNG, JPEG, GIF, WebP, AVIF or SVG image/);
  });

  it("refuses a folder", async () => {
    await expect(start(dir)).rejects.toThrow(/is not a file/);
  });
});

describe("GET /auth/config: the app's face and the upload limit, without a session", () => {
  it("names the app by its name when it sets no ui", async () => {
    const t = await startTestServer({ app: defineApp({ ...echoApp(), name: "Plain" }), env: { PARLOR_FILES_MAX_BYTES: "5242880" } });
    const config = await authConfig(t.origin);
    expect(config.app).toEqual({ name: "Plain" });
    expect(config.maxUploadBytes).toBe(5 * 1024 * 1024);
  });

  it("gives the display name, the colour, and a hashed URL for a local logo, which anyone can load", async () => {
    const t = await startTestServer({ app: echoApp({ ui: { name: "Acme Assistant", logo: join(dir, "logo.png"), accentColor: "#0F766E" } }) });
    const config = await authConfig(t.origin);
    expect(config.app).toEqual({ name: "Acme Assistant", logo: expect.stringMatching(/^\/auth\/logo\?v=[\w-]{16}$/), accentColor: "#0f766e" });

    const logo = await fetch(t.origin + (config.app as { logo: string }).logo);
    expect(logo.status).toBe(200);
    expect(Buffer.from(await logo.arrayBuffer())).toEqual(PNG);
    expect(Object.fromEntries(logo.headers)).toMatchObject({
      "content-type": "image/png",
      "cache-control": "public, max-age=31536000, immutable",
      "x-content-type-options": "nosniff",
      "cross-origin-resource-policy": "same-origin",
    });
    expect(logo.headers.get("content-security-policy")).toContain("sandbox");
  });

  it("changes the logo's URL when the file changes, so the year-long cache never shows an old one", async () => {
    const first = await startTestServer({ app: echoApp({ ui: { logo: join(dir, "logo.png") } }) });
    const second = await startTestServer({ app: echoApp({ ui: { logo: pathToFileURL(join(dir, "logo.svg")).href } }) });
    const [a, b] = await Promise.all([authConfig(first.origin), authConfig(second.origin)]);
    expect((a.app as { logo: string }).logo).not.toBe((b.app as { logo: string }).logo);
    const svg = await fetch(second.origin + (b.app as { logo: string }).logo);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    // Opened on its own, the SVG is a sandboxed document that can run no script.
    expect(svg.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'; sandbox");
  });

  it("has no logo route when the app has no local logo", async () => {
    const t = await startTestServer();
    const response = await fetch(`${t.origin}/auth/logo`);
    expect(response.status).toBe(404);
    expect((await response.json()).error.code).toBe("not_found");
  });

  it("serves the logo under the path prefix", async () => {
    const t = await startTestServer({ app: echoApp({ ui: { logo: join(dir, "logo.png") } }), basePath: "/chat" });
    const config = await authConfig(t.origin, "/chat");
    const url = (config.app as { logo: string }).logo;
    expect(url).toMatch(/^\/chat\/auth\/logo\?v=/);
    expect((await fetch(t.origin + url)).status).toBe(200);
  });

  it("allows an https logo's origin in the CSP's img-src, and no other", async () => {
    const t = await startTestServer({ app: echoApp({ ui: { logo: "https://cdn.example/brand/logo.svg" } }) });
    const response = await fetch(`${t.origin}/auth/config`);
    expect(((await response.json()) as { app: unknown }).app).toEqual({ name: "Test App", logo: "https://cdn.example/brand/logo.svg" });
    const imgSrc = response.headers
      .get("content-security-policy")!
      .split(";")
      .find((directive) => directive.trim().startsWith("img-src"));
    expect(imgSrc?.trim()).toBe("img-src 'self' data: blob: https://cdn.example");
  });
});
