// widget.js is loaded by every page of a host site, before the visitor asks for anything: it
// must stay a small, self-contained classic script. Needs `npm run build` first.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { expect, it } from "vitest";
import { requireWidgetBuild, WIDGET_DIST } from "./e2e/fixture.js";

/** The budget, gzipped. The build is about 6 KB today (see the README); raise this only on purpose. */
const MAX_GZIPPED_BYTES = 8 * 1024;

it(`dist/widget.js is one classic script under ${MAX_GZIPPED_BYTES} bytes gzipped`, () => {
  requireWidgetBuild();
  const code = readFileSync(WIDGET_DIST);
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.log(`widget.js: ${code.length} bytes minified, ${gzipped} bytes gzipped`);
  expect(gzipped).toBeLessThan(MAX_GZIPPED_BYTES);
  const text = code.toString("utf8");
  // No module syntax and no chunk loading: a plain <script src> must run it as is.
  expect(text).not.toMatch(/^\s*(import|export)\s/m);
  expect(text).not.toMatch(/\bimport\(/);
  expect(text).not.toContain("sourceMappingURL");
});
