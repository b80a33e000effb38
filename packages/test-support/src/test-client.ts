import { CookieJar } from "./cookie-jar.js";
import { ECHO_PASSWORD } from "./echo-app.js";

export interface Response<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when it is not JSON (`null` when empty). */
  body: T;
  /** The raw bytes. */
  bytes: Buffer;
}

export interface RequestOptions {
  json?: unknown;
  /** Multipart body; fetch sets the content type with its boundary. */
  form?: FormData;
  body?: string;
  /** Extra headers; `undefined` removes one the browser would add (e.g. `origin`). */
  headers?: Record<string, string | undefined>;
}

/**
 * Talks to one server over real HTTP as a same-origin page would, through a `CookieJar`: keeps
 * the session cookie, sends what the browser adds and the CSRF token it was given at login.
 * Redirects are not followed, so tests see them.
 */
export class TestClient {
  readonly jar: CookieJar;

  constructor(
    readonly origin: string,
    readonly cookieName: string,
    jar?: CookieJar,
    /** The app's path prefix (`/chat`, or `""`), put in front of every request path. */
    readonly basePath = "",
  ) {
    this.jar = jar ?? new CookieJar(origin);
  }

  /** Raw session cookie value; tests may read, replay or corrupt it as an attacker would. */
  get sessionCookie(): string | null {
    return this.jar.cookies(this.origin).get(this.cookieName) || null;
  }
  set sessionCookie(value: string | null) {
    if (value === null) this.jar.cookies(this.origin).delete(this.cookieName);
    else this.jar.cookies(this.origin).set(this.cookieName, value);
  }

  get csrfToken(): string | null {
    return this.jar.csrfToken;
  }
  set csrfToken(value: string | null) {
    this.jar.csrfToken = value;
  }

  /** Password login; keeps the session cookie and the CSRF token on success. */
  async login(username = "alice", password = ECHO_PASSWORD): Promise<Response> {
    const response = await this.request("POST", "/auth/login", { json: { username, password } });
    if (response.status === 200) this.csrfToken = response.body.csrfToken;
    return response;
  }

  get(path: string, init: RequestOptions = {}) {
    return this.request("GET", path, init);
  }
  post(path: string, init: RequestOptions = {}) {
    return this.request("POST", path, init);
  }
  delete(path: string, init: RequestOptions = {}) {
    return this.request("DELETE", path, init);
  }

  async request(method: string, path: string, init: RequestOptions = {}): Promise<Response> {
    const url = this.origin + this.basePath + path;
    const headers = this.jar.headersFor(url, method);
    let body: string | FormData | undefined;
    if (init.form !== undefined) {
      body = init.form;
    } else if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.json);
    } else if (init.body !== undefined) {
      body = init.body;
    }
    for (const [name, value] of Object.entries(init.headers ?? {})) {
      if (value === undefined) delete headers[name.toLowerCase()];
      else headers[name.toLowerCase()] = value;
    }
    const response = await fetch(url, { method, headers, body, redirect: "manual" });
    this.jar.store(url, response.headers.getSetCookie());
    const bytes = Buffer.from(await response.arrayBuffer());
    const text = bytes.toString("utf8");
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed, bytes };
  }
}
