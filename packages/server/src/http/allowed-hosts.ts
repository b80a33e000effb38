import { isLoopback } from "../config/loopback.js";
import { rememberAnswers } from "../config/remember-answers.js";
import type { ParlorConfig } from "../config/resolve-config.js";
import { ParlorError } from "../errors.js";
import type { OnRequestStep } from "./combine-hooks.js";
import { lastEntry } from "./own-origin.js";

type Headers = Record<string, string | string[] | undefined>;

/** Is a request with these headers, from this TCP peer, addressed to a host this app serves? */
export type IsAllowedHost = (headers: Headers, peer: string | undefined) => boolean;

/** The refusal's text, for HTTP and the socket handshake alike: it names what to configure. */
export const HOST_NOT_ALLOWED_MESSAGE = "This server does not answer for that host (see PARLOR_PUBLIC_URL and PARLOR_ALLOWED_HOSTS)";

/**
 * Answered whatever the Host: load balancers probe them by IP address, and they tell nothing
 * (liveness, and readiness with the names of the parts that fail, never their addresses).
 */
const HEALTH_CHECKS = ["/healthz", "/readyz"];

/**
 * The hosts this app answers to: the public URL's host (with its port) and `allowedHosts`;
 * in development with a loopback public URL, also any loopback name on any port
 * (`localhost`, `127.0.0.1`, `[::1]`, `*.localhost`), which all reach a local server: the dev
 * proxy of the web UI (`localhost:5173`) forwards its own Host, and no remote page can name
 * itself that way.
 *
 * Why at all: a page on `evil.example` whose DNS name is rebound to this server's address is
 * same-origin with itself, so the browser lets its script read our responses. The only thing
 * that still says "evil.example" is the `Host` header; refusing it keeps that page from
 * logging in and using the app. `X-Forwarded-Host` is believed only from a trusted proxy.
 */
export function allowedHostCheck(config: ParlorConfig): IsAllowedHost {
  const protocol = config.publicUrl.protocol;
  const allowed = new Set<string>([config.publicUrl.host, ...config.allowedHosts.map((host) => normalizeHost(host, protocol) ?? host)]);
  const anyLoopback = !config.production && isLoopback(config.publicUrl.hostname);
  const { isTrustedPeer } = config;

  // A Host not written exactly as the public URL's (`127.0.0.1:8000` for `localhost:8000` in
  // development, an upper-case name) is parsed as a URL, twice: answers are kept.
  const isAllowedName = rememberAnswers(function isAllowedName(host: string) {
    if (host === "") return false;
    const lower = host.toLowerCase();
    if (allowed.has(lower)) return true;
    const normalized = normalizeHost(lower, protocol);
    if (normalized === null) return false;
    return allowed.has(normalized) || (anyLoopback && isLoopback(new URL(`${protocol}//${normalized}`).hostname));
  });

  return function isAllowedHost(headers, peer) {
    // The peer check parses an address: only when there is a forwarded host to believe.
    const forwardedHeader = headers["x-forwarded-host"];
    const forwarded = forwardedHeader !== undefined && isTrustedPeer(peer) ? lastEntry(forwardedHeader) : undefined;
    const host = forwarded ?? headers.host;
    return typeof host === "string" && isAllowedName(host);
  };
}

/** The `onRequest` hook that answers `421 host_not_allowed` before anything else runs. */
export function refuseForeignHosts(isAllowedHost: IsAllowedHost): OnRequestStep {
  return function refuseForeignHosts(request, _reply, done) {
    if (isAllowedHost(request.headers, request.socket.remoteAddress) || isHealthCheck(request.url)) return done();
    done(new ParlorError("host_not_allowed", HOST_NOT_ALLOWED_MESSAGE));
  };
}

function isHealthCheck(url: string): boolean {
  return HEALTH_CHECKS.some((path) => url === path || url.startsWith(`${path}?`));
}

/** The host as a URL would write it (lower case, default port dropped), or `null` if it is not a bare host. */
function normalizeHost(host: string, protocol: string): string | null {
  if (!/^[^\s/\\?#@]+$/.test(host)) return null;
  try {
    return new URL(`${protocol}//${host}`).host;
  } catch {
    return null;
  }
}
