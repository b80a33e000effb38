import type { FastifyReply } from "fastify";
import type { ResolvedEmbed } from "../config/embeds.js";
import type { CookieConfig } from "../config/resolve-config.js";

/**
 * Every cookie Parlor sets, with its name and all of its attributes, in one place:
 *
 * - the session cookie: `config.cookie.name` (`__Host-parlor-<app>-<hash>` when Secure, see
 *   `resolveConfig`), `HttpOnly; Path=/; SameSite=<session.sameSite>`, `Secure` when the public
 *   URL is https or loopback, `Max-Age` until the session's idle timeout or end;
 * - the OAuth flow cookie: the session cookie's name plus `-oauth`, `HttpOnly; Path=/;
 *   SameSite=Lax; Max-Age=600`, `Secure` (and so `__Host-`) like the session cookie;
 * - the session cookie of a partitioned embedding's iframe (`embeds.<id>.cookie:
 *   "partitioned"`): the session cookie's name, `HttpOnly; Secure; SameSite=None;
 *   Partitioned; Path=/` (see `SessionCookies`).
 *
 * Neither ever has a `Domain`: both are host-only, so a sibling subdomain can neither read
 * nor plant them.
 *
 * Under a path prefix (PARLOR_PUBLIC_URL=https://example.com/chat/) the Path stays `/`, not
 * `/chat/`: `__Host-` requires `Path=/`, and it is worth more than a path scope. A Path would
 * not isolate anything anyway: cookie paths are no security boundary (any page of the host
 * can frame a page of another path, same origin, and act through it), while `__Host-` is what
 * keeps a sibling subdomain, or a page on plain http, from planting a session. Two apps on one host are kept apart by the
 * cookie's name instead, derived from the app's name, origin and path
 * (config/session-cookie-name.ts): each app reads only its own name, and a value carried
 * over under the other's name fails its JWT check (another `aud`, another key: the app id
 * includes the path). The prefix rules browsers enforce are checked here when a cookie is
 * defined (at start-up), so a cookie the browser would silently drop fails loudly instead.
 */

/** The attributes Parlor sets on a cookie. `Domain` is left out on purpose: every cookie is host-only. */
export interface CookieAttributes {
  httpOnly: true;
  secure: boolean;
  sameSite: "lax" | "strict" | "none";
  path: "/";
  /** CHIPS: kept in a jar of its own per top-level site. */
  partitioned?: true;
}

/** A cookie definition that breaks a prefix rule (RFC 6265bis, "Cookie Name Prefixes"). */
export class CookieRuleError extends TypeError {
  override readonly name = "CookieRuleError";
  readonly code = "cookie_rule";
}

/**
 * Refuses what browsers would drop without a word: `__Secure-` needs `Secure`; `__Host-` needs
 * `Secure`, `Path=/` and no `Domain`; `SameSite=None` and `Partitioned` need `Secure` too.
 */
export function checkCookieRules(
  name: string,
  attributes: { secure: boolean; path?: string; domain?: string; sameSite?: string; partitioned?: boolean },
): void {
  const lower = name.toLowerCase();
  if (lower.startsWith("__secure-") && !attributes.secure) {
    throw new CookieRuleError(`cookie ${name}: a __Secure- cookie must be Secure`);
  }
  if (lower.startsWith("__host-")) {
    if (!attributes.secure) throw new CookieRuleError(`cookie ${name}: a __Host- cookie must be Secure`);
    if (attributes.path !== "/") throw new CookieRuleError(`cookie ${name}: a __Host- cookie must have Path=/`);
    if (attributes.domain !== undefined) throw new CookieRuleError(`cookie ${name}: a __Host- cookie must not have a Domain`);
  }
  if (attributes.sameSite === "none" && !attributes.secure) {
    throw new CookieRuleError(`cookie ${name}: SameSite=None needs Secure`);
  }
  if (attributes.partitioned === true && !attributes.secure) {
    throw new CookieRuleError(`cookie ${name}: a Partitioned cookie must be Secure`);
  }
}

/** One cookie of Parlor's: read it from a request, set it on a reply, clear it. */
export class ParlorCookie {
  constructor(
    readonly name: string,
    readonly attributes: CookieAttributes,
  ) {
    checkCookieRules(name, attributes);
  }

  /** Its value in a `Cookie` header, or `null` (absent, empty, or present twice; see `readCookie`). */
  read(header: string | undefined): string | null {
    return readCookie(header, this.name);
  }

  set(reply: FastifyReply, value: string, maxAgeSeconds: number): void {
    reply.setCookie(this.name, value, { ...this.attributes, maxAge: maxAgeSeconds });
  }

  /** Same name and attributes, so the browser replaces the cookie rather than adding another. */
  clear(reply: FastifyReply): void {
    reply.clearCookie(this.name, this.attributes);
  }
}

/** The session cookie (`HttpOnly`, `Path=/`, SameSite and Secure from the configuration). */
export function sessionCookie(cookie: CookieConfig): ParlorCookie {
  return new ParlorCookie(cookie.name, { httpOnly: true, secure: cookie.secure, sameSite: cookie.sameSite, path: "/" });
}

/**
 * The session cookie as each session writes it, decided in this one place from the session
 * itself. A session opened by the token exchange of a partitioned embedding lives in the
 * iframe, a third-party context: there the browser keeps only a `Partitioned` cookie
 * (`Secure; SameSite=None; Partitioned`), in a jar keyed by the top-level site, so it never
 * meets the app's own cookie of the same name. Every later write of that session's cookie
 * (the exchange, renewals, logout's clear) must carry the same attributes, or the browser
 * treats it as another cookie and drops it there. Every other session gets the app's cookie.
 */
export class SessionCookies {
  /** The app's own session cookie (logins on the app's pages). */
  readonly main: ParlorCookie;
  private readonly partitioned: ParlorCookie | null;
  private readonly partitionedEmbeds: ReadonlySet<string>;

  constructor(cookie: CookieConfig, embeds: ReadonlyArray<Pick<ResolvedEmbed, "id" | "cookie">>) {
    this.main = sessionCookie(cookie);
    this.partitionedEmbeds = new Set(embeds.filter((embed) => embed.cookie === "partitioned").map((embed) => embed.id));
    this.partitioned =
      this.partitionedEmbeds.size === 0
        ? null
        : new ParlorCookie(cookie.name, { httpOnly: true, secure: cookie.secure, sameSite: "none", path: "/", partitioned: true });
  }

  /** The session cookie's value in a `Cookie` header: one name for both kinds. */
  read(header: string | undefined): string | null {
    return this.main.read(header);
  }

  /** The cookie this session is written with. */
  of(session: { embedId?: string | undefined }): ParlorCookie {
    return session.embedId !== undefined && this.partitioned !== null && this.partitionedEmbeds.has(session.embedId) ? this.partitioned : this.main;
  }
}

/** How long a browser has between leaving for the OAuth provider and coming back. */
export const FLOW_TTL_SECONDS = 10 * 60;

/**
 * The OAuth flow cookie is named after the session cookie (so two apps on one host keep their
 * flows apart) and is `__Host-` with `Path=/` whenever it is Secure: a browser refuses a
 * `__Host-` cookie that names a `Domain`, so a sibling subdomain cannot plant its own flow
 * (started by an attacker, finished with the attacker's code) and log a victim in as the
 * attacker. A path-scoped `__Secure-` cookie could be tossed that way. SameSite=Lax, whatever
 * the session cookie's setting: the provider sends the browser back with a top-level
 * cross-site GET, which Lax allows and Strict does not.
 */
export function oauthFlowCookie(cookie: CookieConfig): ParlorCookie {
  return new ParlorCookie(`${cookie.name}-oauth`, { httpOnly: true, secure: cookie.secure, sameSite: "lax", path: "/" });
}

/**
 * A cookie's value from a `Cookie` header, or `null`. A cookie that appears more than once is
 * refused rather than guessed at: a second copy can only come from cookie tossing or a
 * misconfiguration, and picking either would be a coin flip. Hand-written rather than a
 * cookie parser: it runs on every authenticated request and looks for one name only.
 */
export function readCookie(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  // Scans for `name=` at the start of a pair instead of splitting the header: the header
  // carries the whole JWT, and this runs on every request.
  let value: string | null = null;
  for (let at = header.indexOf(name); at !== -1; at = header.indexOf(name, at + 1)) {
    const equals = at + name.length;
    if (header.charCodeAt(equals) !== EQUALS || !startsPair(header, at)) continue;
    if (value !== null) return null;
    const end = header.indexOf(";", equals);
    value = header.slice(equals + 1, end === -1 ? header.length : end).trimEnd();
  }
  return value === "" ? null : value;
}

const EQUALS = 0x3d;
const SEMICOLON = 0x3b;

/** Whether `at` begins a `name=value` pair: the header's start, or after `;` and blanks. */
function startsPair(header: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && (header.charCodeAt(i) === 0x20 || header.charCodeAt(i) === 0x09)) i--;
  return i === -1 || header.charCodeAt(i) === SEMICOLON;
}
