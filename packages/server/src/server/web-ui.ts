import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { withBaseHref } from "./base-href.js";

/**
 * Where the built web UI is: the `root` option, or `@parlor/web`'s `dist/` when that
 * package is installed and built. `null` when there is none (an API-only deployment).
 */
export function findWebRoot(root: string | false | undefined): string | null {
  if (root === false) return null;
  if (root !== undefined) return root;
  try {
    const pkg = createRequire(import.meta.url).resolve("@parlor/web/package.json");
    const dist = join(dirname(pkg), "dist");
    return existsSync(join(dist, "index.html")) ? dist : null;
  } catch {
    return null;
  }
}

/** Paths (below the base path) that belong to the API: never answered with the UI's HTML. */
const API_PATH = /^\/(api|auth|socket\.io|healthz|readyz|embed|widget\.js)(\/|$|\?)/;

export interface WebUiOptions {
  root: string;
  /** The prefix the UI is served under (`/chat`, or `""`); written into its `<base href>`. */
  basePath: string;
}

/**
 * Serves the built UI under the plugin's prefix: hashed assets cached for a year, the app
 * shell (`index.html` with its `<base href>`, see base-href.ts) never cached, at the prefix
 * itself and, through `appShellFallback`, for any other GET that wants HTML (client-side
 * routes such as `<prefix>/chat/<id>`). The files are public (the UI holds no data; the API
 * does), so these routes skip auth.
 */
export async function webUi(fastify: FastifyInstance, { root, basePath }: WebUiOptions) {
  fastify.addHook("onRoute", (route) => {
    route.config = { ...route.config, auth: "optional" };
  });
  await fastify.register(fastifyStatic, {
    root,
    wildcard: false,
    // index.html is never sent as a file: it gets its <base href> first (the route below).
    index: false,
    allowedPath: (path) => path !== "/index.html",
    // Cache-Control comes from setHeaders alone.
    cacheControl: false,
    setHeaders(res, path) {
      // Vite puts content-hashed files under assets/: safe to cache for good.
      const hashed = relative(root, path).startsWith(`assets${sep}`);
      res.setHeader("cache-control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  const shell = appShell(root, basePath);
  fastify.get("/", async function serveAppShell(_request, reply) {
    return shell(reply);
  });
}

/**
 * The not-found fallback for client-side routes (`<prefix>/chat/<id>`): answers with the app
 * shell, and returns `false` for requests that are not page loads of this app (other
 * methods, API paths, paths outside the prefix, requests that do not want HTML).
 */
export function appShellFallback(root: string, basePath: string): (request: FastifyRequest, reply: FastifyReply) => boolean {
  const shell = appShell(root, basePath);
  return function sendAppShell(request, reply) {
    if (request.method !== "GET" && request.method !== "HEAD") return false;
    if (!request.headers.accept?.includes("text/html")) return false;
    const url = request.url;
    if (basePath !== "" && !(url.startsWith(`${basePath}/`) || url === basePath || url.startsWith(`${basePath}?`))) return false;
    if (API_PATH.test(url.slice(basePath.length))) return false;
    shell(reply).catch((error: unknown) => reply.send(error));
    return true;
  };
}

/**
 * Sends `index.html` with its `<base href>`, read on each page load (a few KB) so a rebuilt
 * UI is served without a restart.
 */
function appShell(root: string, basePath: string): (reply: FastifyReply) => Promise<FastifyReply> {
  const index = join(root, "index.html");
  return async function sendIndex(reply) {
    const html = withBaseHref(await readFile(index, "utf8"), basePath);
    return reply.status(200).header("cache-control", "no-cache").type("text/html; charset=utf-8").send(html);
  };
}
