import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/**
 * One classic script, `dist/widget.js`: a host page loads it with a plain `<script src>`, so it
 * must be a self-contained IIFE (no module, no chunks, no CSS file) that sets `window.Parlor`.
 */
export default defineConfig({
  resolve: {
    // The protocol's sources, so that building the widget does not wait for `tsc -b`.
    alias: { "@parlor/protocol": fileURLToPath(new URL("../protocol/src/index.ts", import.meta.url)) },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2020",
    // Browsers with constructed stylesheets (launcher.ts needs them): no CSS fallbacks to add.
    cssTarget: ["chrome111", "firefox113", "safari16.4"],
    minify: true,
    sourcemap: false,
    lib: {
      entry: fileURLToPath(new URL("src/main.ts", import.meta.url)),
      formats: ["iife"],
      name: "ParlorWidget",
      fileName: () => "widget.js",
    },
  },
});
