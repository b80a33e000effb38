/**
 * What a browser does for a same-origin page, for clients running in Node: keeps the cookies
 * the server sets (HttpOnly ones included, which page scripts never see) and sends them back,
 * with `Origin` and `Sec-Fetch-Site: same-origin`. Two clients sharing one jar behave like
 * two tabs of one browser.
 */
export class BrowserJar {
  private readonly cookies = new Map<string, string>();
  /** Set to a foreign origin to play a cross-site page (the server then refuses unsafe requests). */
  origin: string;
  sameOrigin = true;

  /** `proxyHeaders`: what an authenticating reverse proxy in front would add to every request. */
  constructor(
    origin: string,
    private readonly proxyHeaders: Record<string, string> = {},
  ) {
    this.origin = origin;
  }

  /** The `Cookie` header value; empty when the jar holds nothing. */
  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** The raw value of the session cookie (tests replay or corrupt it). */
  cookieValue(): string | undefined {
    return this.cookies.values().next().value;
  }

  setCookieValue(value: string): void {
    const name = this.cookies.keys().next().value;
    if (name !== undefined) this.cookies.set(name, value);
  }

  readonly fetch: typeof fetch = async (input, init = {}) => {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.proxyHeaders)) headers.set(name, value);
    const cookie = this.cookieHeader;
    if (cookie !== "") headers.set("cookie", cookie);
    headers.set("origin", this.origin);
    if (this.sameOrigin) headers.set("sec-fetch-site", "same-origin");
    else headers.set("sec-fetch-site", "cross-site");
    const response = await fetch(input, { ...init, headers });
    this.absorb(response.headers.getSetCookie());
    return response;
  };

  /** For `createParlorClient({ socketOptions })`: read before every handshake. */
  readonly socketOptions = () => {
    const extraHeaders: Record<string, string> = { origin: this.origin };
    const cookie = this.cookieHeader;
    if (cookie !== "") extraHeaders.cookie = cookie;
    return { transports: ["websocket"], extraHeaders };
  };

  private absorb(lines: string[]): void {
    for (const line of lines) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const cleared = value === "" || /max-age=0/i.test(line) || /expires=thu, 01 jan 1970/i.test(line);
      if (cleared) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}
