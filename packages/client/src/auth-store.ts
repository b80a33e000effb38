import type { AuthConfig, CurrentSession, ParlorUser, PasswordLoginBody, SessionListEntry } from "@parlor/protocol";
import { ApiClient, type SessionHooks } from "./api-client.js";
import { BearerCredentials, isTransientFailure, type BearerAuthOptions } from "./bearer-credentials.js";
import { ParlorApiError } from "./api-error.js";
import { authConfig, loginResponse, meResponse, sessionListResponse } from "./auth-responses.js";
import { Store } from "./store.js";

/** `loading` until the first `GET /auth/me` has answered. */
export type AuthStatus = "loading" | "authenticated" | "unauthenticated";

/** The auth snapshot. There is one per client, so every hook sees the same session. */
export interface AuthState {
  status: AuthStatus;
  /** `false` while the first `GET /auth/me` is in flight. */
  isReady: boolean;
  isAuthenticated: boolean;
  config: AuthConfig | null;
  user: ParlorUser | null;
  session: CurrentSession | null;
  /** The user's live sessions, filled by `refreshSessions()`. */
  sessions: readonly SessionListEntry[];
  /** The last failure of an auth action (login, logout, revoke…); cleared by the next success. */
  error: ParlorApiError | null;
}

export interface AuthStoreOptions {
  baseUrl: string;
  fetch: typeof fetch;
  /** Leaves the page for a URL (OAuth login). */
  navigate: (url: string) => void;
  /** The path to come back to after an OAuth login. */
  currentPath: () => string;
  /** Bearer mode (embedding); the cookie session when absent. */
  bearer?: BearerAuthOptions;
}

const INITIAL: AuthState = {
  status: "loading",
  isReady: false,
  isAuthenticated: false,
  config: null,
  user: null,
  session: null,
  sessions: [],
  error: null,
};

/**
 * The session as the client knows it. The CSRF token lives here, in memory only (never in
 * storage or a cookie); the session itself is the server's HttpOnly cookie, which this code
 * never sees. One auth state per client: a 401 anywhere moves it to logged-out once, and
 * nothing retries after that.
 *
 * @example
 * const { auth } = createParlorClient();
 * await auth.start();
 * if (!auth.getSnapshot().isAuthenticated) await auth.login("alice", "secret");
 */
export class AuthStore extends Store<AuthState> {
  /** The HTTP client bound to this session; the other stores use it. */
  readonly api: ApiClient;
  private csrfToken: string | null = null;
  private sessionEpoch = 0;
  private refreshing: Promise<void> | null = null;
  private started: Promise<void> | null = null;
  private pendingChange: Promise<void> | null = null;
  /** Bearer mode only: the access token in memory. */
  private readonly bearer: BearerCredentials | null = null;
  private readonly renewalListeners = new Set<() => void>();

  constructor(private readonly options: AuthStoreOptions) {
    super(INITIAL);
    const hooks: SessionHooks = {
      csrfToken: () => this.csrfToken,
      epoch: () => this.sessionEpoch,
      refreshCsrfToken: () => this.refresh(),
      unauthenticated: (epoch) => {
        if (epoch === this.sessionEpoch) this.markLoggedOut();
      },
    };
    if (options.bearer !== undefined) {
      const bearer = new BearerCredentials(options.baseUrl, options.fetch, options.bearer.getHostToken, (outcome) => {
        if ("error" in outcome) return this.renewalFailed(outcome.error);
        this.renewed(outcome.user);
        // The new access token is a new session: /auth/me fills in its details.
        void this.refresh().catch(() => undefined);
      });
      this.bearer = bearer;
      hooks.bearer = {
        token: () => bearer.token,
        // Once logged out, a late 401 must not start a new session behind the app's back.
        renew: () =>
          this.getSnapshot().status === "unauthenticated"
            ? Promise.reject(new ParlorApiError("unauthenticated", "Logged out", { status: 401 }))
            : this.renewBearer(),
      };
    }
    this.api = new ApiClient(options.baseUrl, options.fetch, hooks);
  }

  /** The CSRF token for the socket handshake; `null` when logged out. */
  get currentCsrfToken(): string | null {
    return this.csrfToken;
  }

  /** Changes on every login, logout and change of session. */
  get epoch(): number {
    return this.sessionEpoch;
  }

  /** Resolves when a login, logout or revocation in flight has settled; `null` when none is. */
  get sessionChanging(): Promise<void> | null {
    return this.pendingChange;
  }

  /** `true` in bearer mode (`auth: { mode: "bearer" }`). */
  get isBearer(): boolean {
    return this.bearer !== null;
  }

  /**
   * Loads `/auth/config` and `/auth/me`, once per store; in bearer mode it first exchanges a
   * host token. Never rejects: failures land in `error`.
   */
  start(): Promise<void> {
    this.started ??= Promise.all([
      this.loadConfig(),
      (this.bearer === null ? this.refresh() : this.renewBearer().then(() => this.refresh())).catch(() => undefined),
    ]).then(() => undefined);
    return this.started;
  }

  /** Bearer mode: stops renewing the access token ahead of time (the client is closed). */
  stopRenewing(): void {
    this.bearer?.stopRenewing();
  }

  /** Bearer mode: called after every renewal of the access token (to reconnect the socket with it). */
  onTokenRenewed(listener: () => void): () => void {
    this.renewalListeners.add(listener);
    return () => void this.renewalListeners.delete(listener);
  }

  /**
   * Bearer mode: asks the host for a host token and exchanges it. A final failure (the host
   * gives none, the server refuses it as `invalid_token`) logs out, with the reason in
   * `error`; an unreachable server does not once logged in (the caller's request fails).
   */
  private async renewBearer(): Promise<void> {
    const bearer = this.bearer;
    if (bearer === null) throw new TypeError("Not in bearer mode");
    let user: ParlorUser;
    try {
      user = await bearer.renew();
    } catch (error) {
      const apiError = toApiError(error);
      if (isTransientFailure(apiError) && this.getSnapshot().status === "authenticated") throw this.fail(apiError);
      throw this.renewalFailed(apiError);
    }
    this.renewed(user);
  }

  private renewed(user: ParlorUser): void {
    if (this.getSnapshot().status === "authenticated") this.setAuthenticated(user, this.getSnapshot().session);
    for (const listener of [...this.renewalListeners]) listener();
  }

  private renewalFailed(error: ParlorApiError): ParlorApiError {
    this.batch(() => {
      this.markLoggedOut();
      this.setState({ status: "unauthenticated", isReady: true, error });
    });
    return error;
  }

  /**
   * `GET /auth/me`: confirms the session, renews the cookie when due, and refreshes the CSRF
   * token. Concurrent calls share one request. A 401 logs out (once) and rejects.
   */
  refresh(): Promise<void> {
    this.refreshing ??= this.fetchMe().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** `POST /auth/login`. Resolves with the user; rejects with `ParlorApiError` (also put in `error`). */
  readonly login = (username: string, password: string): Promise<ParlorUser> =>
    this.startSession(() => this.api.request("POST", "/auth/login", { json: { username, password } satisfies PasswordLoginBody, csrfRetry: false }));

  /**
   * `POST /auth/header`: trusted-header login, for apps behind an authenticating proxy
   * (`config.header`). The proxy's headers ride along; the app never sees them.
   */
  readonly loginWithHeader = (): Promise<ParlorUser> => this.startSession(() => this.api.request("POST", "/auth/header", { csrfRetry: false }));

  /** A login request's answer (`{ user, csrfToken }`) becomes this client's session. */
  private startSession(request: () => Promise<unknown>): Promise<ParlorUser> {
    if (this.bearer !== null) return Promise.reject(new TypeError("Bearer mode: the session comes from getHostToken(), not from a login"));
    return this.changeSession(async () => {
      const { user, csrfToken } = loginResponse(await request());
      this.csrfToken = csrfToken;
      this.sessionEpoch++;
      // The login answer has no session details; one /auth/me fills them in. The error of a
      // previous attempt goes in the same change, so subscribers hear of the login once.
      await this.fetchMe({ error: null }).catch((error: unknown) => {
        if (error instanceof ParlorApiError && error.code === "unauthenticated") throw error;
        this.setAuthenticated(user, null, { error: null });
      });
      this.setState({ error: null }); // when a logout overtook the /auth/me
      return this.getSnapshot().user ?? user;
    });
  }

  /** Leaves the page for the provider's login; comes back to the current path. */
  readonly loginWithProvider = (providerId: string): void => {
    if (this.bearer !== null) throw new TypeError("Bearer mode: the session comes from getHostToken(), not from a login");
    const returnTo = encodeURIComponent(this.options.currentPath());
    this.options.navigate(`${this.options.baseUrl}/auth/oauth/${encodeURIComponent(providerId)}?returnTo=${returnTo}`);
  };

  /** `POST /auth/logout`: ends this session on the server, then here. */
  readonly logout = (): Promise<void> => this.endSession(() => this.api.request("POST", "/auth/logout"));

  /** `GET /auth/sessions` into `sessions`. */
  readonly refreshSessions = async (): Promise<readonly SessionListEntry[]> => {
    try {
      const { sessions } = sessionListResponse(await this.api.request("GET", "/auth/sessions"));
      this.setState({ sessions, error: null });
      return sessions;
    } catch (error) {
      throw this.fail(error);
    }
  };

  /** `DELETE /auth/sessions/:id`. Revoking the current session logs this client out. */
  readonly revokeSession = async (sessionId: string): Promise<void> => {
    const path = `/auth/sessions/${encodeURIComponent(sessionId)}`;
    if (sessionId === this.getSnapshot().session?.id) return this.endSession(() => this.api.request("DELETE", path));
    try {
      await this.api.request("DELETE", path);
      this.setState({ sessions: this.getSnapshot().sessions.filter((entry) => entry.id !== sessionId), error: null });
    } catch (error) {
      throw this.fail(error);
    }
  };

  /** `DELETE /auth/sessions`: every session of the user ends, this one included. */
  readonly revokeAllSessions = (): Promise<void> => this.endSession(() => this.api.request("DELETE", "/auth/sessions"));

  /** Moves to logged-out, forgetting the user and the CSRF token. Does nothing when already there. */
  markLoggedOut(): void {
    this.bearer?.clear();
    if (this.getSnapshot().status === "unauthenticated") return;
    this.csrfToken = null;
    this.sessionEpoch++;
    this.setState({ status: "unauthenticated", isReady: true, isAuthenticated: false, user: null, session: null, sessions: [] });
  }

  private async loadConfig(): Promise<void> {
    try {
      this.setState({ config: authConfig(await this.api.request("GET", "/auth/config")) });
    } catch (error) {
      this.fail(error);
    }
  }

  private async fetchMe(alsoChange: Partial<AuthState> = {}): Promise<void> {
    const epoch = this.sessionEpoch;
    let body: unknown;
    try {
      body = await this.api.request("GET", "/auth/me");
    } catch (error) {
      // 401 has already logged out (through the API client); anything else on the first
      // check leaves the app usable as logged out, with the reason in `error`.
      if (this.getSnapshot().status === "loading") {
        this.setState({ status: "unauthenticated", isReady: true, error: toApiError(error) });
      }
      throw error;
    }
    if (epoch !== this.sessionEpoch) return; // a login or logout happened meanwhile: it wins
    const { user, session, csrfToken } = meResponse(body);
    // Bearer mode keeps no CSRF token: the header it sends is no ambient credential.
    if (this.bearer === null) this.csrfToken = csrfToken;
    const previous = this.getSnapshot().session;
    // Another tab logged in again. (In bearer mode each renewal is a new session of the same user.)
    if (this.bearer === null && previous !== null && previous.id !== session.id) this.sessionEpoch++;
    this.setAuthenticated(user, session, alsoChange);
  }

  private setAuthenticated(user: ParlorUser, session: CurrentSession | null, alsoChange: Partial<AuthState> = {}): void {
    const state = this.getSnapshot();
    const sameUser =
      state.user !== null && state.user.id === user.id && state.user.identifier === user.identifier && state.user.displayName === user.displayName;
    const sameSession = state.session !== null && session !== null && state.session.id === session.id && state.session.expiresAt === session.expiresAt;
    this.setState({
      status: "authenticated",
      isReady: true,
      isAuthenticated: true,
      user: sameUser ? state.user : user,
      session: sameSession ? state.session : session,
      ...alsoChange,
    });
  }

  /**
   * Runs a login, logout or revocation. The server drops this session's sockets while it
   * runs; `sessionChanging` tells the socket to wait for the outcome instead of recovering.
   */
  private async changeSession<T>(change: () => Promise<T>): Promise<T> {
    const pending = change();
    const settled = pending.then(
      () => undefined,
      () => undefined,
    );
    this.pendingChange = settled;
    try {
      return await pending;
    } catch (error) {
      throw this.fail(error);
    } finally {
      if (this.pendingChange === settled) this.pendingChange = null;
    }
  }

  private endSession(request: () => Promise<unknown>): Promise<void> {
    return this.changeSession(async () => {
      try {
        await request();
      } catch (error) {
        // Already logged out (401): the goal is reached.
        if (!(error instanceof ParlorApiError && error.code === "unauthenticated")) throw error;
      }
      this.batch(() => {
        this.markLoggedOut();
        this.setState({ error: null });
      });
    });
  }

  private fail(error: unknown): ParlorApiError {
    const apiError = toApiError(error);
    this.setState({ error: apiError });
    return apiError;
  }
}

export function toApiError(error: unknown): ParlorApiError {
  if (error instanceof ParlorApiError) return error;
  return new ParlorApiError("internal", "Unexpected client error", { cause: error });
}
