import type { FastifyBaseLogger } from "fastify";
import type { OriginPolicy } from "./request-origin.js";
import type { OnRequestStep } from "../http/combine-hooks.js";
import { ALLOWED_ORIGINS_SETTING, crossOrigin, isCorsAllowed, shownOrigin } from "./cors-origin.js";

/** Distinct refused origins warned about; past it, one line says so and the rest stay quiet. */
const MAX_WARNED_ORIGINS = 100;

/**
 * The `onRequest` step that logs a warning the first time a page on an origin outside
 * `allowedOrigins` calls the server. The browser hides a CORS refusal from the page's
 * scripts (a bare "Failed to fetch"), so the server's log is where a developer setting up a
 * separate frontend learns which setting is missing. Once per origin, and a bounded number
 * of origins: every site on the web can send requests here, and must not fill the log.
 */
export function warnRefusedOrigins(policy: OriginPolicy, log: FastifyBaseLogger): OnRequestStep {
  const warned = new Set<string>();
  let full = false;
  return function warnRefusedOrigins(request, _reply, done) {
    const origin = crossOrigin(request.headers, request.socket, policy);
    if (origin === null || full || isCorsAllowed(origin, policy)) return done();
    // Kept as shown (at most 200 characters): 100 header-sized origins would be megabytes.
    const shown = shownOrigin(origin);
    if (warned.has(shown)) return done();
    if (warned.size >= MAX_WARNED_ORIGINS) {
      full = true;
      log.warn(`more than ${MAX_WARNED_ORIGINS} origins outside allowedOrigins called this server; no more are logged`);
      return done();
    }
    warned.add(shown);
    log.warn(
      { origin: shown },
      `refused cross-origin requests from ${shown}: it is not in allowedOrigins. ` +
        `If a frontend of this app runs there, add it to ${ALLOWED_ORIGINS_SETTING}`,
    );
    done();
  };
}
