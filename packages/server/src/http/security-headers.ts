import type { IncomingMessage, ServerResponse } from "node:http";
import helmet, { type HelmetOptions } from "helmet";
import type { Server as SocketIoServer } from "socket.io";
import type { ParlorConfig } from "../config/resolve-config.js";
import type { OnRequestStep } from "./combine-hooks.js";

/**
 * The headers on every response, as helmet options. The CSP is strict for the web UI: no
 * inline script or style, connections to this origin only, no framing. Files override it
 * with their own sandbox policy (files/file-routes.ts).
 */
function helmetOptions(config: ParlorConfig, { imageOrigins = [] }: SecurityHeaderOptions): HelmetOptions {
  const https = config.publicUrl.protocol === "https:";
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // The UI's <base href> names its own prefix on this origin (server/base-href.ts).
        baseUri: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", "data:", "blob:", ...imageOrigins],
        mediaSrc: ["'self'", "blob:"],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        workerSrc: ["'self'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: "deny" },
    // HSTS only means something over https; sent when the public URL is https.
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
  };
}

/** What the app's own configuration adds to the policy. */
export interface SecurityHeaderOptions {
  /** Exact origins images may come from besides this one: the app's `https:` logo (server/app-face.ts). */
  imageOrigins?: readonly string[];
}

/** Header name (lower case) to value. */
export type HeaderSet = Readonly<Record<string, string>>;

/**
 * The security headers as a plain object, computed once at start-up by running helmet itself
 * against a collector: helmet keeps the list and its values current, and no request pays for
 * its chain of middlewares (13 `setHeader` calls, each validating its name and value, were
 * most of the cost of a small response). Every response gets this set: Fastify's through
 * `sendSecurityHeaders`, the rest (pre-routing errors, the HTTP parser's errors, the 408 of a
 * slow body, socket.io's polling responses) from their own writers.
 */
export function securityHeaderSet(config: ParlorConfig, options: SecurityHeaderOptions = {}): HeaderSet {
  const headers: Record<string, string> = {};
  const collector = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    },
    removeHeader() {},
  };
  helmet(helmetOptions(config, options))({} as IncomingMessage, collector as unknown as ServerResponse, () => {});
  return Object.freeze(headers);
}

/**
 * The `onRequest` step that puts the headers on a Fastify reply, first thing, so that every
 * answer (a refusal by a later step, an error, a 404) carries them. In Fastify's own header map rather than on the raw
 * response (`setHeader`, what helmet does): Node then writes them straight from that map in
 * `writeHead`, validated once, and a route that sets its own value (a file's sandbox CSP)
 * simply replaces ours. A response written past Fastify (`reply.hijack()`) must add them itself.
 */
export function sendSecurityHeaders(headers: HeaderSet): OnRequestStep {
  const entries = Object.entries(headers);
  return function sendSecurityHeaders(_request, reply, done) {
    for (let i = 0; i < entries.length; i++) reply.header(entries[i]![0], entries[i]![1]);
    done();
  };
}

/**
 * socket.io answers long-polling requests itself, before Fastify: its responses get the
 * same headers as every other response (a polling body is attacker-influenced text).
 */
export function addSecurityHeadersToSocketIo(io: SocketIoServer, headers: HeaderSet): void {
  io.engine.on("headers", function addSecurityHeaders(responseHeaders: Record<string, string>) {
    Object.assign(responseHeaders, headers);
  });
}
