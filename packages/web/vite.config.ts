import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * Where `npm run dev` forwards the API: a Parlor server started separately
 * (`PARLOR_DEV_TARGET`, by default http://localhost:8000).
 */
const target = process.env.PARLOR_DEV_TARGET ?? "http://localhost:8000";

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: {
      // rehype-katex turns KaTeX's HTML into a tree with this package. Its browser build
      // parses with the page's own parser (a <template>'s innerHTML), and KaTeX's HTML has
      // style attributes: under `style-src 'self'` each is a CSP violation, and the styles
      // are lost. Its Node build parses with parse5, in JavaScript, outside the DOM; React then
      // sets those styles through the CSSOM, which the CSP allows. Resolved here, in Node, the
      // name gives the Node build.
      "hast-util-from-html-isomorphic": fileURLToPath(import.meta.resolve("hast-util-from-html-isomorphic")),
    },
  },
  // Relative asset URLs: the same build is served under any prefix chosen at run time
  // (PARLOR_PUBLIC_URL's path). The server writes a <base href> with the prefix into
  // index.html, so the assets resolve under it from every page (see src/router/base-path.ts).
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Everything in files: the server's CSP allows no inline script or style, and data: URLs
    // for scripts would be blocked too.
    assetsInlineLimit: 0,
    // The polyfill is a script in the entry chunk, never inline; modern browsers need none.
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: "es2022",
    rollupOptions: {
      // Two pages: the web UI, and the chat in the widget's iframe (the server serves
      // embed.html at /embed/<id>). They share the chat components' chunk.
      input: {
        index: fileURLToPath(new URL("./index.html", import.meta.url)),
        embed: fileURLToPath(new URL("./embed.html", import.meta.url)),
      },
    },
  },
  server: {
    port: 5173,
    // The browser talks to Vite's origin only, and Vite forwards to the Parlor server.
    // changeOrigin stays false: the Origin header the browser sets must name the page the
    // user sees, and the server's CSRF rule compares it with its allowed origins (see README).
    proxy: {
      "/auth": { target, changeOrigin: false },
      "/api": { target, changeOrigin: false },
      "/socket.io": { target, changeOrigin: false, ws: true },
    },
  },
});
