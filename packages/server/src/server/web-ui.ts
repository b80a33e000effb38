import { createReadStream, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

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

/** Paths that belong to the API: never answered with the UI's HTML. */
const API_PATH = /^\/(api|auth|socket\.io|healthz)(\/|$|\?)/;

/**
 * Serves the built UI: hashed assets cached for a year, `index.html` never cached, and
 * `index.html` for any other GET that wants HTML (client-side routes such as /chat/<id>).
 * The files are public (the UI holds no data; the API does), so these routes skip auth.
 */
export async function webUi(fastify: FastifyInstance, { root }: { root: string }) {
  fastify.addHook("onRoute", (route) => {
    route.config = { ...route.config, auth: "optional" };
  });
  await fastify.register(fastifyStatic, {
    root,
    wildcard: false,
    index: ["index.html"],
    // Cache-Control comes from setHeaders alone.
    cacheControl: false,
    setHeaders(res, path) {
      // Vite puts content-hashed files under assets/: safe to cache for good.
      const hashed = relative(root, path).startsWith(`assets${sep}`);
      res.setHeader("cache-control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
}

/**
 * The not-found fallback for client-side routes (`/chat/<id>`): answers with `index.html`
 * (read on each page load, so a rebuilt UI is served without a restart), and returns
 * `false` for requests that are not page loads.
 */
export function appShellFallback(root: string): (request: FastifyRequest, reply: FastifyReply) => boolean {
  const index = join(root, "index.html");
  return function sendAppShell(request, reply) {
    if ((request.method !== "GET" && request.method !== "HEAD") || API_PATH.test(request.url)) return false;
    if (!request.headers.accept?.includes("text/html")) return false;
    reply.status(200).header("cache-control", "no-cache").type("text/html; charset=utf-8").send(createReadStream(index));
    return true;
  };
}
