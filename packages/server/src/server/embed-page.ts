import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ResolvedEmbed } from "../config/embeds.js";
import { ParlorError } from "../errors.js";
import { parseInput } from "../http/parse-input.js";
import type { HeaderSet } from "../http/security-headers.js";
import { withBaseHref } from "./base-href.js";

export interface EmbedPageOptions {
  embeds: readonly ResolvedEmbed[];
  /** The built web UI; its `embed.html`, when there is one, is the chat in the iframe. */
  webRoot: string | null;
  /** The app's security headers: the page keeps its CSP, with its own `frame-ancestors`. */
  securityHeaders: HeaderSet;
  /** The prefix the app is served under, for the page's `<base href>` (its assets are relative). */
  basePath: string;
}

const querySchema = z.object({ host: z.string().optional() });

/**
 * `GET /embed/:id?host=<origin>`: the page `widget.js` puts in its iframe. Framed only by the
 * embedding's own origins: its CSP's `frame-ancestors` lists exactly them (and X-Frame-Options,
 * which cannot list origins, is dropped; browsers that know CSP ignore it anyway). Everything
 * else in the app keeps `frame-ancestors 'none'`. A `host` not in the list gets a 403 page
 * instead of a chat that the loader could never talk to (the iframe posts to `host` only).
 */
export async function embedPage(fastify: FastifyInstance, { embeds, webRoot, securityHeaders, basePath }: EmbedPageOptions) {
  const byId = new Map(embeds.map((embed) => [embed.id, embed]));
  const appShell = webRoot !== null && existsSync(join(webRoot, "embed.html")) ? join(webRoot, "embed.html") : null;
  const baseCsp = securityHeaders["content-security-policy"] ?? "";

  fastify.get("/embed/:id", { config: { auth: "optional" } }, async function serveEmbedPage(request, reply) {
    const { id } = request.params as { id: string };
    const embed = byId.get(id);
    if (embed === undefined) throw new ParlorError("not_found", "No such embedding");
    const { host } = parseInput(querySchema, request.query);
    reply.header("cache-control", "no-store").type("text/html; charset=utf-8");
    if (host === undefined || !embed.origins.includes(host)) {
      return reply.status(403).send(page("Not allowed here", "This chat cannot be embedded on this site."));
    }
    reply.header("content-security-policy", withFrameAncestors(baseCsp, embed.origins)).removeHeader("x-frame-options");
    // Read on each load, like index.html: a rebuilt UI is served without a restart.
    if (appShell === null) return reply.send(page("Chat", "The chat is loading."));
    const html = await readFile(appShell, "utf8");
    // The base element stays the head's first: the mode's <meta> goes in before it is added.
    return reply.send(withBaseHref(embed.cookie === "partitioned" ? withCookieMode(html) : html, basePath));
  });
}

/**
 * Tells the chat that its session may live in a partitioned cookie (`embeds.<id>.cookie`):
 * `<meta name="parlor-embed-cookie" content="partitioned">` at the start of the head. An
 * element the page reads, not an inline script (the CSP allows none). Without it the chat
 * runs on bearer tokens only.
 */
export function withCookieMode(html: string): string {
  const meta = `<meta name="parlor-embed-cookie" content="partitioned" />`;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head === null) return meta + html;
  const end = head.index + head[0].length;
  return html.slice(0, end) + meta + html.slice(end);
}

/** The app's CSP with `frame-ancestors` replaced: one place decides the rest of the policy. */
export function withFrameAncestors(csp: string, origins: readonly string[]): string {
  const directives = csp
    .split(";")
    .map((directive) => directive.trim())
    .filter((directive) => directive !== "" && !directive.startsWith("frame-ancestors"));
  return [...directives, `frame-ancestors ${origins.join(" ")}`].join(";");
}

/** A minimal page: no script, no style, so the strict CSP needs no exception. */
function page(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><p>${text}</p></body></html>`;
}
