import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyHelmetOptions } from "@fastify/helmet";
import helmet, { type HelmetOptions } from "helmet";
import type { Server as SocketIoServer } from "socket.io";
import type { ParlorConfig } from "../config/resolve-config.js";

/**
 * The headers on every response (@fastify/helmet). The CSP is strict for the web UI: no
 * inline script or style, connections to this origin only, no framing. Files override it
 * with their own sandbox policy (files/file-routes.ts).
 */
export function helmetOptions(config: ParlorConfig): FastifyHelmetOptions {
  const https = config.publicUrl.protocol === "https:";
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'none'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", "data:", "blob:"],
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

/** Header name (lower case) to value. */
export type HeaderSet = Readonly<Record<string, string>>;

/**
 * The same headers as a plain object, for the responses that helmet's hooks never see:
 * Fastify's pre-routing errors, the HTTP parser's errors and socket.io's polling responses.
 * Computed by running helmet itself against a collector, so both lists cannot drift apart.
 */
export function securityHeaderSet(config: ParlorConfig): HeaderSet {
  const headers: Record<string, string> = {};
  const collector = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    },
    removeHeader() {},
  };
  // The same options object: @fastify/helmet types it against its own copy of helmet's types.
  helmet(helmetOptions(config) as HelmetOptions)({} as IncomingMessage, collector as unknown as ServerResponse, () => {});
  return Object.freeze(headers);
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
