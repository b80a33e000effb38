import { errorFromResponse, ParlorApiError } from "./api-error.js";
import { explainNetworkFailure } from "./origin-refusal.js";

/** What a transport hands back: enough to decide success, CSRF retry and 401. */
export interface RawResponse {
  status: number;
  text: string;
  header(name: string): string | null;
}

/**
 * Performs one HTTP attempt with the given extra headers (the CSRF token). A network
 * failure rejects with a `ParlorApiError`.
 */
export type Transport = (headers: Record<string, string>) => Promise<RawResponse>;

/** The session side the API client needs, implemented by the auth store. */
export interface SessionHooks {
  /** The CSRF token in memory, or `null`. */
  csrfToken(): string | null;
  /** A number that changes whenever the session changes (login, logout). */
  epoch(): number;
  /** Fetches a fresh CSRF token (`GET /auth/me`); rejects when that fails. Shared by concurrent callers. */
  refreshCsrfToken(): Promise<void>;
  /** A request started in `epoch` was answered 401 `unauthenticated`. */
  unauthenticated(epoch: number): void;
  /** Bearer mode only; without it the session is the cookie. */
  bearer?: BearerHooks;
}

/** The access token of bearer mode, in memory (see `bearer-credentials.ts`). */
export interface BearerHooks {
  /** The current access token, or `null` before the first exchange. */
  token(): string | null;
  /** Exchanges a fresh host token (shared by concurrent callers); rejects, logged out, when that fails. */
  renew(): Promise<void>;
}

export interface RequestOptions {
  /** Sent as JSON with `Content-Type: application/json`. Omit for bodiless requests. */
  json?: unknown;
  /** Query parameters; `undefined` values are left out. */
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
  /**
   * Retry once after refreshing the CSRF token when the answer is 403 `csrf`. On by default;
   * off for login, whose `csrf` answer is about the origin and which has no session yet.
   */
  csrfRetry?: boolean;
}

const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The HTTP client under every store: `credentials: "include"` so the HttpOnly cookie rides
 * along, the `X-CSRF-Token` header on unsafe methods, one refresh-and-retry on 403 `csrf`,
 * and 401 `unauthenticated` reported to the session exactly as it happened (no retry).
 * In bearer mode instead: `Authorization: Bearer`, no cookies and no CSRF token (a header
 * is no ambient credential), and a 401 renews the access token once and retries once.
 * Errors come back as `ParlorApiError`. Internal; the stores use it.
 */
export class ApiClient {
  private readonly fetch: typeof fetch;

  constructor(
    readonly baseUrl: string,
    fetchImpl: typeof fetch,
    private readonly session: SessionHooks,
  ) {
    this.fetch = fetchImpl;
  }

  /** Bearer mode: the access token in memory (for the socket handshake); `null` otherwise. */
  get bearerToken(): string | null {
    return this.session.bearer?.token() ?? null;
  }

  /** `false` in bearer mode: requests (uploads included) must not carry the site's cookies. */
  get usesCookies(): boolean {
    return this.session.bearer === undefined;
  }

  url(path: string, query?: RequestOptions["query"]): string {
    let url = this.baseUrl + path;
    if (query) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
      const search = params.toString();
      if (search !== "") url += `?${search}`;
    }
    return url;
  }

  /** A JSON request through `fetch`; resolves with the parsed body (`undefined` for 204). */
  request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.url(path, options.query);
    const fetchImpl = this.fetch;
    const { baseUrl } = this;
    const credentials: RequestCredentials = this.usesCookies ? "include" : "omit";
    return this.perform<T>(
      method,
      async function fetchTransport(extraHeaders) {
        const headers: Record<string, string> = { Accept: "application/json", ...extraHeaders };
        const init: RequestInit = { method, headers, credentials };
        if (options.signal) init.signal = options.signal;
        if (options.json !== undefined) {
          headers["Content-Type"] = "application/json";
          init.body = JSON.stringify(options.json);
        }
        let response: Response;
        let text: string;
        try {
          response = await fetchImpl(url, init);
          text = await response.text();
        } catch (cause) {
          // A refused origin (CORS) looks like the network to scripts: ask the server which.
          throw await explainNetworkFailure(baseUrl, fetchImpl, cause, options.signal);
        }
        return { status: response.status, text, header: (name) => response.headers.get(name) };
      },
      options.csrfRetry ?? true,
    );
  }

  /**
   * Runs `transport` with the session rules: CSRF header on unsafe methods, one retry after
   * a token refresh on 403 `csrf`, 401 `unauthenticated` handed to the session and thrown.
   * Bearer mode: the `Authorization` header, and one renewal and retry on 401.
   */
  async perform<T>(method: string, transport: Transport, csrfRetry = true): Promise<T> {
    const unsafe = !SAFE_METHODS.has(method.toUpperCase());
    const { bearer } = this.session;
    let retried = false;
    let renewed = false;
    for (;;) {
      const epoch = this.session.epoch();
      const headers: Record<string, string> = {};
      const accessToken = bearer?.token() ?? null;
      if (accessToken !== null) headers["Authorization"] = `Bearer ${accessToken}`;
      const token = unsafe && bearer === undefined ? this.session.csrfToken() : null;
      if (token !== null) headers["X-CSRF-Token"] = token;

      const response = await transport(headers);
      if (response.status >= 200 && response.status < 300) return parseBody<T>(response);

      const error = errorFromResponse(response.status, response.text, response.header("retry-after"));
      if (response.status === 401 && error.code === "unauthenticated") {
        if (bearer !== undefined && !renewed) {
          renewed = true;
          // Renewed meanwhile by someone else (the timer, a parallel request): just retry.
          if (bearer.token() === accessToken) await bearer.renew();
          continue;
        }
        this.session.unauthenticated(epoch);
        throw error;
      }
      if (unsafe && csrfRetry && !retried && response.status === 403 && error.code === "csrf") {
        retried = true;
        await this.session.refreshCsrfToken();
        continue;
      }
      throw error;
    }
  }
}

function parseBody<T>(response: RawResponse): T {
  if (response.status === 204 || response.text === "") return undefined as T;
  try {
    return JSON.parse(response.text) as T;
  } catch (cause) {
    throw new ParlorApiError("invalid_response", "The server's answer is not JSON", { status: response.status, cause });
  }
}

/** A fetch or XHR that did not get an answer: aborted by the caller, or the network. */
export function transportError(cause: unknown, signal?: AbortSignal | null): ParlorApiError {
  if (signal?.aborted) return new ParlorApiError("aborted", "The request was aborted", { cause });
  return new ParlorApiError("network_error", "Could not reach the server", { cause });
}
