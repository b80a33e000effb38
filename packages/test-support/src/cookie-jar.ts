/**
 * What a browser keeps and sends for the pages of one profile, for clients running in Node:
 * the cookies servers set (HttpOnly ones included, which page scripts never see), sent back
 * with every request, plus the headers a browser adds for a page on `pageOrigin`: `Origin` on
 * unsafe methods, `Sec-Fetch-Site`, and the CSRF token when the test gave it one.
 *
 * Cookies are kept per origin (scheme, host and port), stricter than a browser, which ignores
 * ports: tests run several servers on one host and must not mix their cookies. Attributes
 * honoured: Max-Age and Expires (against `now`, real time by default, so a test clock moving
 * the server's time does not drop cookies by itself), Secure (only from https or loopback, as
 * browsers treat loopback as secure), and the `__Host-` / `__Secure-` prefix rules. Path and
 * Domain are not modelled beyond the prefix rules: Parlor sets its cookies on `/`.
 */
export class CookieJar {
  readonly #values = new Map<string, Map<string, string>>();
  readonly #expiries = new Map<string, Map<string, number>>();
  readonly #now: () => number;

  /** The origin of the page the requests come from; set a foreign one to play a cross-site page. */
  pageOrigin: string;
  /** Sent as `X-CSRF-Token` on unsafe requests that carry none; `null` sends none. */
  csrfToken: string | null = null;

  constructor(pageOrigin: string, options: { now?: () => number; extraHeaders?: Record<string, string> } = {}) {
    this.pageOrigin = pageOrigin;
    this.#now = options.now ?? Date.now;
    this.extraHeaders = options.extraHeaders ?? {};
  }

  /** Headers on every request, e.g. what an authenticating reverse proxy in front would add. */
  readonly extraHeaders: Record<string, string>;

  /**
   * The live cookie values of `origin` (name → value). Tests read and write it as an attacker
   * would (replay, plant, corrupt a cookie); a cookie written here never expires.
   */
  cookies(origin: string): Map<string, string> {
    const key = new URL(origin).origin;
    this.#dropExpired(key);
    let values = this.#values.get(key);
    if (!values) this.#values.set(key, (values = new Map()));
    return values;
  }

  /** The `Cookie` header for a request to `url`; empty when the jar holds nothing for it. */
  cookieHeader(url: string | URL): string {
    return [...this.cookies(String(url))].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** Stores the `Set-Cookie` lines of a response from `url` as a browser would. */
  store(url: string | URL, setCookieLines: readonly string[]): void {
    const target = new URL(url);
    const values = this.cookies(target.origin);
    let expiries = this.#expiries.get(target.origin);
    if (!expiries) this.#expiries.set(target.origin, (expiries = new Map()));
    for (const line of setCookieLines) {
      const parsed = parseSetCookie(line);
      if (!parsed || !accepts(target, parsed)) continue;
      const expiry = parsed.maxAge !== undefined ? this.#now() + parsed.maxAge * 1000 : parsed.expires;
      if (expiry !== undefined && expiry <= this.#now()) {
        values.delete(parsed.name);
        expiries.delete(parsed.name);
        continue;
      }
      values.set(parsed.name, parsed.value);
      if (expiry === undefined) expiries.delete(parsed.name);
      else expiries.set(parsed.name, expiry);
    }
  }

  /**
   * The headers a browser would add to a request from the page to `url` (cookies, `Origin` on
   * unsafe methods, `Sec-Fetch-Site`, the CSRF token on unsafe methods), lower-case names.
   */
  headersFor(url: string | URL, method = "GET"): Record<string, string> {
    const target = new URL(url);
    const unsafe = !["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase());
    const headers: Record<string, string> = { ...this.extraHeaders, "sec-fetch-site": fetchSite(this.pageOrigin, target) };
    const cookie = this.cookieHeader(target);
    if (cookie !== "") headers.cookie = cookie;
    if (unsafe) headers.origin = this.pageOrigin;
    if (unsafe && this.csrfToken !== null) headers["x-csrf-token"] = this.csrfToken;
    return headers;
  }

  /** `fetch` as the page would call it: the browser's headers added, the answer's cookies kept. */
  readonly fetch: typeof fetch = async (input, init = {}) => {
    const url = input instanceof Request ? input.url : String(input);
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.headersFor(url, init.method ?? "GET"))) {
      // The page's own headers win where a page may set them (its CSRF token); the browser's
      // (cookie, origin, sec-fetch-site) always apply.
      if (name === "x-csrf-token" && headers.has(name)) continue;
      headers.set(name, value);
    }
    const response = await fetch(input, { ...init, headers });
    this.store(url, response.headers.getSetCookie());
    return response;
  };

  /**
   * socket.io client options for a page on `pageOrigin`, read before every handshake (pass the
   * function itself as `createParlorClient({ socketOptions })`): the websocket transport with
   * the page's `Origin` and the cookies for `serverOrigin`.
   */
  socketOptions(serverOrigin: string) {
    return () => {
      const extraHeaders: Record<string, string> = { origin: this.pageOrigin };
      const cookie = this.cookieHeader(serverOrigin);
      if (cookie !== "") extraHeaders.cookie = cookie;
      return { transports: ["websocket"], extraHeaders };
    };
  }

  #dropExpired(origin: string): void {
    const expiries = this.#expiries.get(origin);
    const values = this.#values.get(origin);
    if (!expiries || !values) return;
    for (const [name, expiry] of expiries) {
      if (expiry > this.#now()) continue;
      expiries.delete(name);
      values.delete(name);
    }
  }
}

interface SetCookie {
  name: string;
  value: string;
  /** Seconds. */
  maxAge?: number;
  /** Milliseconds since the epoch. */
  expires?: number;
  secure: boolean;
  domain?: string;
  path?: string;
}

/** RFC 6265 section 5.2, the parts Parlor's cookies use. */
function parseSetCookie(line: string): SetCookie | null {
  const [pair = "", ...attributes] = line.split(";");
  const eq = pair.indexOf("=");
  if (eq <= 0) return null;
  const cookie: SetCookie = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), secure: false };
  for (const attribute of attributes) {
    const [rawName = "", ...rest] = attribute.split("=");
    const name = rawName.trim().toLowerCase();
    const value = rest.join("=").trim();
    if (name === "max-age" && /^-?\d+$/.test(value)) cookie.maxAge = Number(value);
    else if (name === "expires" && !Number.isNaN(Date.parse(value))) cookie.expires = Date.parse(value);
    else if (name === "secure") cookie.secure = true;
    else if (name === "domain" && value !== "") cookie.domain = value;
    else if (name === "path") cookie.path = value;
  }
  return cookie;
}

/** Whether a browser would keep `cookie` set by `from` (the Secure and prefix rules). */
function accepts(from: URL, cookie: SetCookie): boolean {
  const secureOrigin = from.protocol === "https:" || ["localhost", "127.0.0.1", "[::1]"].includes(from.hostname);
  if (cookie.secure && !secureOrigin) return false;
  if (cookie.name.startsWith("__Secure-") && !cookie.secure) return false;
  if (cookie.name.startsWith("__Host-") && (!cookie.secure || cookie.domain !== undefined || cookie.path !== "/")) return false;
  return true;
}

/** `Sec-Fetch-Site` of a request from a page on `pageOrigin` to `target`. */
function fetchSite(pageOrigin: string, target: URL): string {
  const page = new URL(pageOrigin);
  if (page.origin === target.origin) return "same-origin";
  return page.protocol === target.protocol && page.hostname === target.hostname ? "same-site" : "cross-site";
}
