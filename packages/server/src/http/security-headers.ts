import type { FastifyHelmetOptions } from "@fastify/helmet";
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
