import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { init, parse } from "es-module-lexer";
import { describe, expect, it } from "vitest";

/**
 * `@parlor/web` is installed with every `parlor` (the server serves its `dist/`), so it must
 * ship the built UI and pull in nothing: React, the Markdown renderer and `@parlor/react` are
 * bundled at build time. Needs `npm run build` first, like the E2E tests.
 */
const WEB = fileURLToPath(new URL("..", import.meta.url));
const ROOT = join(WEB, "../..");
const DIST = join(WEB, "dist");

const manifest = JSON.parse(readFileSync(join(WEB, "package.json"), "utf8")) as Record<string, unknown>;

describe("the @parlor/web package", () => {
  it("has no runtime dependencies: everything it uses is bundled into dist/", () => {
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies", "bundleDependencies"]) {
      expect(Object.keys((manifest[field] as object | undefined) ?? {}), `${field} in packages/web/package.json`).toEqual([]);
    }
    // The server finds the UI by resolving this file (packages/server/src/server/web-ui.ts, findWebRoot).
    expect(manifest.exports).toEqual({ "./package.json": "./package.json" });
  });

  it("packs the built UI: index.html, embed.html and every file they load, and no sources", () => {
    expect(existsSync(join(DIST, "index.html")), "packages/web/dist is missing: run `npm run build` first").toBe(true);
    const npm = spawnSync("npm", ["pack", "--dry-run", "--json", "-w", "@parlor/web"], { cwd: ROOT, encoding: "utf8" });
    expect(npm.status, npm.stderr).toBe(0);
    const [pack] = JSON.parse(npm.stdout) as Array<{ files: Array<{ path: string }> }>;
    const packed = new Set(pack!.files.map((file) => file.path));

    expect(packed).toContain("package.json");
    expect(packed).toContain("dist/index.html");
    const html = readFileSync(join(DIST, "index.html"), "utf8");
    // Relative URLs only (the build's base is "./"): the server serves the UI under any prefix.
    expect(html).not.toMatch(/(?:src|href)="\//);
    const loaded = [...html.matchAll(/(?:src|href)="(?:\.\/)?([^"]+)"/g)].map((match) => match[1]!);
    expect(loaded).toEqual(
      expect.arrayContaining([
        "theme-init.js",
        "favicon.svg",
        expect.stringMatching(/^assets\/index-.+\.js$/),
        expect.stringMatching(/^assets\/index-.+\.css$/),
      ]),
    );
    for (const path of loaded) expect(packed, `index.html loads ${path}`).toContain(`dist/${path}`);

    // The chat in the widget's iframe, served at /embed/<id>: its page and everything it loads,
    // relative too.
    expect(packed).toContain("dist/embed.html");
    const embedHtml = readFileSync(join(DIST, "embed.html"), "utf8");
    expect(embedHtml).not.toMatch(/(?:src|href)="\//);
    const embedLoads = [...embedHtml.matchAll(/(?:src|href)="(?:\.\/)?([^"]+)"/g)].map((match) => match[1]!);
    expect(embedLoads).toEqual(expect.arrayContaining([expect.stringMatching(/^assets\/embed-.+\.js$/)]));
    for (const path of embedLoads) expect(packed, `embed.html loads ${path}`).toContain(`dist/${path}`);
    // The server's CSP allows no inline script or style on either page.
    for (const page of [html, embedHtml]) expect(page).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=/);
    for (const path of packed) expect(path, "only dist/, the LICENSE and npm's own files are packed").toMatch(/^(dist\/|package\.json$|README\.md$|LICENSE$)/);
  });

  it("builds JavaScript that imports only its own chunks, never a package", async () => {
    await init;
    const chunks = readdirSync(join(DIST, "assets")).filter((name) => name.endsWith(".js"));
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) {
      const [imports] = parse(readFileSync(join(DIST, "assets", chunk), "utf8"), chunk);
      // `d` is -2 for `import.meta`, which imports nothing. `n` is the specifier; undefined for
      // import(expression), which could load anything, so it counts as a failure too.
      const specifiers = imports.filter((entry) => entry.d !== -2).map((entry) => entry.n ?? "(computed)");
      expect(
        specifiers.filter((specifier) => !specifier.startsWith("./")),
        chunk,
      ).toEqual([]);
    }
  });
});
