import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { FastifyInstance } from "fastify";
import { ParlorError } from "../errors.js";

/** Host pages keep the URL `/widget.js` across versions: a short lifetime lets a new version in soon. */
const MAX_AGE_SECONDS = 300;

/** The built loader of `@parlor/widget`, or `null` when it is not built (a development checkout). */
export function findWidgetScript(): Buffer | null {
  try {
    return readFileSync(createRequire(import.meta.url).resolve("@parlor/widget/widget.js"));
  } catch {
    return null;
  }
}

/**
 * `GET /widget.js`: the loader other sites include with `<script src>`. Public and the same
 * for everyone, so it needs no session and may be cached (briefly, revalidated by ETag), and
 * `Cross-Origin-Resource-Policy: cross-origin` lets pages of other origins load it.
 */
export async function widgetScript(fastify: FastifyInstance, { script }: { script: Buffer | null }) {
  const etag = script && `"${createHash("sha256").update(script).digest("base64url").slice(0, 27)}"`;
  fastify.get("/widget.js", { config: { auth: "optional" } }, async function serveWidgetScript(request, reply) {
    if (script === null || etag === null) throw new ParlorError("not_found", "widget.js is not built (npm run build)");
    reply
      .header("content-type", "text/javascript; charset=utf-8")
      .header("cache-control", `public, max-age=${MAX_AGE_SECONDS}`)
      .header("etag", etag)
      .header("cross-origin-resource-policy", "cross-origin");
    if (request.headers["if-none-match"] === etag) return reply.status(304).send();
    return reply.send(script);
  });
}
