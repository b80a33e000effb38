import type { ParlorUser, TokenExchangeBody } from "@parlor/protocol";
import { errorFromResponse, ParlorApiError } from "./api-error.js";
import { tokenExchangeResponse } from "./auth-responses.js";
import { explainNetworkFailure } from "./origin-refusal.js";

/** Bearer mode: the client gets its access token from the host page instead of a cookie. */
export interface BearerAuthOptions {
  mode: "bearer";
  /**
   * Returns a fresh host token (a short-lived JWT minted by the host's backend, see the server
   * README, "Host tokens"). Called at start and before each renewal; a host token is single use.
   */
  getHostToken: () => Promise<string>;
}

/** Renew this long before the access token expires, at most a quarter of its lifetime. */
const RENEW_MARGIN_MS = 60_000;
/** Never schedule renewals closer than this (a server with a tiny `tokenTtl`). */
const MIN_RENEW_DELAY_MS = 1_000;
/** A renewal that failed for now is tried again after 1 s, doubling up to 30 s. */
const RETRY_DELAY_MS = 1_000;
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * A failure that says nothing about the host token: the server is unreachable, overloaded or
 * restarting. It must not log anyone out (the cookie mode's rule too); the exchange is tried
 * again. `invalid_token`, `token_failed` and other 4xx answers are final.
 */
export function isTransientFailure(error: ParlorApiError): boolean {
  return error.code === "network_error" || error.code === "timeout" || error.code === "rate_limited" || error.status >= 500;
}

/**
 * The access token of bearer mode, in memory only (never storage or a cookie: the embedding
 * page must not be able to read it back, and a reload exchanges a new one). `renew()` asks the
 * host for a host token and exchanges it at `POST /auth/token`; concurrent callers share one
 * exchange. A timer renews before `expiresAt`.
 */
export class BearerCredentials {
  private accessToken: string | null = null;
  private renewing: Promise<ParlorUser> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private failedRenewals = 0;
  /** Bumped by `clear()`: an exchange that was in flight then is a logged-out one. */
  private generation = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch,
    private readonly getHostToken: () => Promise<string>,
    /** Called after each scheduled renewal (or its failure), e.g. to reconnect the socket. */
    private readonly onRenewed: (outcome: { user: ParlorUser } | { error: ParlorApiError }) => void,
  ) {}

  /** The access token in memory, or `null` before the first exchange and after `clear()`. */
  get token(): string | null {
    return this.accessToken;
  }

  /** Exchanges a fresh host token; shared by concurrent callers. Rejects with `ParlorApiError`. */
  renew(): Promise<ParlorUser> {
    this.stopped = false;
    this.renewing ??= this.exchange().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  /** Forgets the token and stops renewing (logout, or a failed renewal). */
  clear(): void {
    this.stopRenewing();
    this.accessToken = null;
    this.generation++;
  }

  /** Stops the renewal timer and keeps the token; the next renewal (after a 401) starts it again. */
  stopRenewing(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async exchange(): Promise<ParlorUser> {
    const generation = this.generation;
    let hostToken: unknown;
    try {
      hostToken = await this.getHostToken();
    } catch (cause) {
      throw new ParlorApiError("token_failed", "getHostToken() failed", { cause });
    }
    if (typeof hostToken !== "string" || hostToken === "") {
      throw new ParlorApiError("invalid_token", "getHostToken() must resolve with a non-empty string");
    }
    let response: Response;
    let text: string;
    try {
      // No cookies either way: this mode works without any, and the answer sets none.
      response = await this.fetchImpl(`${this.baseUrl}/auth/token`, {
        method: "POST",
        credentials: "omit",
        headers: { Accept: "application/json", "Content-Type": "application/json" },
        body: JSON.stringify({ token: hostToken } satisfies TokenExchangeBody),
      });
      text = await response.text();
    } catch (cause) {
      throw await explainNetworkFailure(this.baseUrl, this.fetchImpl, cause);
    }
    if (response.status !== 200) throw errorFromResponse(response.status, text, response.headers.get("retry-after"));
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (cause) {
      throw new ParlorApiError("invalid_response", "The server's answer is not JSON", { status: response.status, cause });
    }
    const { accessToken, expiresAt, user } = tokenExchangeResponse(body);
    if (generation !== this.generation) throw new ParlorApiError("unauthenticated", "Logged out while the token was exchanged", { status: 401 });
    this.accessToken = accessToken;
    this.schedule(expiresAt, response.headers.get("date"));
    return user;
  }

  /**
   * Plans the next renewal from the token's lifetime as the server counts it (its `Date`
   * header, when readable), so a wrong clock on this device does not renew too late.
   */
  private schedule(expiresAt: string, serverDate: string | null): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const serverNow = serverDate === null ? NaN : Date.parse(serverDate);
    const lifetime = Date.parse(expiresAt) - (Number.isNaN(serverNow) ? Date.now() : serverNow);
    const delay = Math.max(MIN_RENEW_DELAY_MS, lifetime - Math.min(RENEW_MARGIN_MS, lifetime / 4));
    this.timer = setTimeout(() => this.renewNow(), delay);
  }

  private renewNow(): void {
    this.renew().then(
      (user) => {
        this.failedRenewals = 0;
        this.onRenewed({ user });
      },
      (cause: unknown) => {
        const error = cause instanceof ParlorApiError ? cause : new ParlorApiError("internal", "Renewal failed", { cause });
        if (!isTransientFailure(error)) return this.onRenewed({ error });
        // Offline or the server restarting: try again. If the token expires meanwhile, the
        // next request's 401 renews it too.
        if (this.stopped) return;
        const delay = Math.min(MAX_RETRY_DELAY_MS, RETRY_DELAY_MS * 2 ** Math.min(this.failedRenewals++, 5));
        this.timer = setTimeout(() => this.renewNow(), delay);
      },
    );
  }
}
