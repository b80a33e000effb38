import type { ClientToServerEvents, ServerToClientEvents } from "@parlor/protocol";
import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import { ParlorApiError } from "./api-error.js";
import type { AuthStore } from "./auth-store.js";
import { isObject } from "./narrow.js";
import { Store } from "./store.js";

/** The client's socket, typed with the protocol's event maps. */
export type ParlorSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** `connecting` covers the first handshake and every reconnection attempt. */
export type ConnectionState = "connecting" | "connected" | "disconnected";

/** Extra socket.io options: an object, or a function read again before each (re)connection. */
export type SocketOptionsInput = Partial<ManagerOptions & SocketOptions> | (() => Partial<ManagerOptions & SocketOptions>);

export interface ConnectionSnapshot {
  state: ConnectionState;
  /** Why the connection gave up, when it did. */
  error: ParlorApiError | null;
}

type ServerEvent = keyof ServerToClientEvents;
/** `ack` is the acknowledgement callback of events that ask for one (`client:call`). */
type Handler = (payload: unknown, ack?: unknown) => void;

/** How long an emit with acknowledgement waits, buffered while disconnected included. */
const ACK_TIMEOUT_MS = 30_000;
/**
 * How the connection retries while the server cannot be reached (a restart, a deploy, a
 * crash): the first retry after 250–750 ms, then twice as long each time, but never more than
 * 2 s apart. The cap is what decides how long a user waits once the server is back: with 2 s,
 * a server down for 30 s is reached within about 2 s of its return, at the price of one
 * refused connection every 2 s per open tab meanwhile, which costs a server nothing. The jitter
 * of the first retries gives each client its own phase, which it keeps at the cap, so the
 * clients cut by one restart do not all come back in the same instant. Apps can override
 * these through `socketOptions`.
 */
const RECONNECT_BACKOFF = { reconnectionDelay: 500, reconnectionDelayMax: 2_000, randomizationFactor: 0.5 } as const;
/** A wake-up (focus, online) just after an attempt began would only abort that attempt. */
const WAKE_UP_MIN_GAP_MS = 1_000;
/** Recoveries closer together than this count as a streak and back off. */
const RECOVERY_WINDOW_MS = 10_000;
const MAX_RECOVERY_DELAY_MS = 30_000;
/**
 * A server that drops the socket is often in the middle of changing the session (a login in
 * another tab revokes this one and sets a new cookie). Asking `/auth/me` at once would send
 * the old cookie and get it cleared; a short wait lets the new cookie arrive first.
 */
const SERVER_DROP_GRACE_MS = 300;

/**
 * One socket.io connection per client while authenticated. The handshake carries the CSRF
 * token through an `auth` function, so each reconnection uses the latest one.
 *
 * A socket cannot renew the cookie, so when the handshake is refused as `unauthenticated`
 * (an expired JWT) or `csrf` (a stale token), the connection asks `GET /auth/me` once —
 * which renews the cookie and the token — and reconnects; a 401 there logs out. The same
 * happens when the server drops the connection (a revoked session): `/auth/me` decides
 * between reconnecting and logging out. At most one such recovery per successful connect.
 */
export class SocketConnection extends Store<ConnectionSnapshot> {
  private current: ParlorSocket | null = null;
  private readonly handlers = new Map<ServerEvent, Set<Handler>>();
  private readonly connectHandlers = new Set<() => void>();
  private recoveryUsed = false;
  private recovering = false;
  private lastRecoveryAt = -Infinity;
  private recoveryStreak = 0;
  private recoveryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The retry the recovery timer will run, so a wake-up can run it at once. */
  private pendingRetry: (() => void) | null = null;
  /** Consecutive `/auth/me` attempts that found the server unreachable. */
  private unreachableAttempts = 0;
  /** Handshakes refused for now (`rate_limited`, `unavailable`) since the last connect. */
  private refusals = 0;
  /** When the attempt under way began; `-Infinity` when none is. */
  private lastAttemptAt = -Infinity;
  private stopWakeUps: (() => void) | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly auth: AuthStore,
    private readonly socketOptions: SocketOptionsInput | undefined,
  ) {
    super({ state: "disconnected", error: null });
  }

  /** The underlying socket.io socket while open; `null` otherwise. */
  get socket(): ParlorSocket | null {
    return this.current;
  }

  /** Opens the connection if it is not open. */
  open(): void {
    if (this.current !== null) return;
    const extra = this.extraOptions();
    const { origin, path } = socketTarget(this.baseUrl);
    const bearer = this.auth.isBearer;
    const socket: ParlorSocket = io(origin, {
      path,
      ...RECONNECT_BACKOFF,
      ...extra,
      // Fixed: cookies must ride along, each client gets its own connection (never a shared
      // manager, which would mix sessions), and the handshake reads the latest CSRF token.
      // Bearer mode: no cookies; the access token goes in `auth.token` (a browser cannot set
      // `Authorization` on a WebSocket), declared by `bearer=1` in the URL, which the server
      // needs to let a handshake without a cookie through (packages/server/src/realtime/allow-handshake.ts).
      withCredentials: !bearer,
      ...(bearer ? { query: { ...queryOf(extra), bearer: "1" } } : {}),
      forceNew: true,
      autoConnect: false,
      auth: (callback) => {
        if (bearer) {
          const token = this.auth.api.bearerToken;
          return callback(token === null ? {} : { token });
        }
        const csrfToken = this.auth.currentCsrfToken;
        callback(csrfToken === null ? {} : { csrfToken });
      },
    });
    this.current = socket;
    this.recoveryUsed = false;
    this.attach(socket);
    this.stopWakeUps ??= listenForWakeUps(() => this.reconnectNow());
    this.setState({ state: "connecting", error: null });
    this.lastAttemptAt = Date.now();
    socket.connect();
  }

  /**
   * Tries to reconnect at once instead of waiting out the back-off, if the connection is
   * retrying. Called by itself when the browser goes back online, the window regains focus or
   * the tab becomes visible again: the moments a user is about to look at the chat.
   */
  reconnectNow(): void {
    const socket = this.current;
    if (socket === null || socket.connected || this.recovering) return;
    // `disconnected` means it gave up (a refused handshake) or was closed on purpose.
    if (this.getSnapshot().state !== "connecting") return;
    if (Date.now() - this.lastAttemptAt < WAKE_UP_MIN_GAP_MS) return;
    this.lastAttemptAt = Date.now();
    const retry = this.pendingRetry;
    if (retry !== null) {
      clearTimeout(this.recoveryTimer);
      this.pendingRetry = null;
      retry();
      return;
    }
    // socket.io is waiting out its back-off timer. `disconnect()` on a socket that is not
    // connected cancels that timer without any event, and `connect()` tries again now.
    socket.disconnect();
    this.refreshManagerOptions(socket);
    socket.connect();
  }

  /**
   * Bearer mode, after the access token was renewed: reconnects a connected socket so the
   * server holds it to the new session (the old one ends with its token). A socket that is
   * not connected picks up the new token at its next attempt anyway.
   */
  reconnectWithNewToken(): void {
    const socket = this.current;
    if (socket === null || !socket.connected) return;
    socket.disconnect();
    this.lastAttemptAt = Date.now();
    socket.connect();
    this.setState({ state: "connecting" });
  }

  /** Closes the connection; nothing reconnects until `open()`. */
  close(): void {
    clearTimeout(this.recoveryTimer);
    this.pendingRetry = null;
    this.stopWakeUps?.();
    this.stopWakeUps = null;
    const socket = this.current;
    this.current = null;
    if (socket !== null) {
      socket.offAny();
      socket.removeAllListeners();
      socket.io.removeAllListeners();
      socket.disconnect();
    }
    this.setState({ state: "disconnected" });
  }

  /** Listens to a server event on this and every later socket; returns the unsubscribe function. */
  on(event: ServerEvent, handler: Handler): () => void {
    let set = this.handlers.get(event);
    if (set === undefined) this.handlers.set(event, (set = new Set()));
    set.add(handler);
    return () => void set.delete(handler);
  }

  /** Called after every successful (re)connection; returns the unsubscribe function. */
  onConnect(handler: () => void): () => void {
    this.connectHandlers.add(handler);
    return () => void this.connectHandlers.delete(handler);
  }

  /** Emits without an acknowledgement; dropped when no socket is open. */
  emit<E extends keyof ClientToServerEvents>(event: E, ...args: Parameters<ClientToServerEvents[E]>): void {
    this.current?.emit(event, ...args);
  }

  /**
   * Emits and waits for the server's acknowledgement `{ ok: true, … }`; an `{ ok: false,
   * error }` answer rejects with a `ParlorApiError` carrying the server's code.
   */
  async request(event: keyof ClientToServerEvents, payload: unknown, timeoutMs = ACK_TIMEOUT_MS): Promise<Record<string, unknown>> {
    const socket = this.current;
    if (socket === null) throw new ParlorApiError("unauthenticated", "Not connected: log in first");
    let answer: unknown;
    try {
      // The typed overloads do not allow a generic event name; the payload is checked by the server.
      answer = await (socket.timeout(timeoutMs) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> }).emitWithAck(event, payload);
    } catch (cause) {
      throw new ParlorApiError("timeout", "The server did not answer in time", { cause });
    }
    if (!isObject(answer)) throw new ParlorApiError("invalid_response", "Unexpected acknowledgement from the server");
    if (answer.ok === true) return answer;
    const error = isObject(answer.error) ? answer.error : {};
    throw new ParlorApiError(
      typeof error.code === "string" ? error.code : "internal",
      typeof error.message === "string" ? error.message : "The server refused the request",
    );
  }

  private extraOptions(): Partial<ManagerOptions & SocketOptions> {
    return typeof this.socketOptions === "function" ? this.socketOptions() : (this.socketOptions ?? {});
  }

  /** Re-reads the extra options (e.g. a cookie header outside browsers) before a new handshake. */
  private refreshManagerOptions(socket: ParlorSocket): void {
    if (typeof this.socketOptions !== "function") return;
    const { extraHeaders } = this.socketOptions();
    if (extraHeaders !== undefined) (socket.io.opts as { extraHeaders?: Record<string, string> }).extraHeaders = extraHeaders;
  }

  private attach(socket: ParlorSocket): void {
    socket.onAny((event: string, payload: unknown, ack?: unknown) => {
      const set = this.handlers.get(event as ServerEvent);
      if (set) for (const handler of [...set]) handler(payload, ack);
    });
    socket.on("connect", () => {
      this.recoveryUsed = false;
      this.refusals = 0;
      this.unreachableAttempts = 0;
      this.lastAttemptAt = -Infinity;
      this.setState({ state: "connected", error: null });
      for (const handler of [...this.connectHandlers]) handler();
    });
    socket.on("connect_error", (error: Error & { data?: unknown }) => {
      this.lastAttemptAt = -Infinity;
      const code = isObject(error.data) ? error.data.code : undefined;
      if (code === "unauthenticated" || code === "csrf") return void this.recover(socket, code);
      if (code === "rate_limited" || code === "unavailable") return void this.retryLater(socket);
      // A transport failure: socket.io retries by itself while the socket is active.
      this.setState({ state: socket.active ? "connecting" : "disconnected" });
    });
    socket.on("disconnect", (reason) => {
      // The server dropped this socket on purpose (a revoked session, or an older server
      // shutting down): `/auth/me` tells which. A "transport close" (the server went away,
      // a network change) is an ordinary reconnection: socket.io retries with the back-off.
      if (reason === "io server disconnect") return void this.recover(socket, "unauthenticated", SERVER_DROP_GRACE_MS);
      this.setState({ state: socket.active ? "connecting" : "disconnected" });
    });
    socket.io.on("reconnect_attempt", () => {
      this.lastAttemptAt = Date.now();
      this.refreshManagerOptions(socket);
    });
  }

  /**
   * The server refused or dropped us: ask `/auth/me` once (renews the cookie, refreshes the
   * token, or logs out on 401), then reconnect. While the server cannot be reached (it is
   * restarting), `/auth/me` is asked again with a growing delay; that does not use up the
   * one recovery. Repeated drops back off exponentially.
   */
  private async recover(socket: ParlorSocket, code: string, graceMs = 0): Promise<void> {
    if (this.recovering || socket !== this.current) return;
    if (this.recoveryUsed) {
      this.setState({ state: "disconnected", error: new ParlorApiError(code, "The server refused the realtime connection") });
      return;
    }
    this.recoveryUsed = true;
    this.recovering = true;
    this.setState({ state: "connecting" });
    let unreachable = false;
    try {
      if (graceMs > 0) await new Promise((resolve) => setTimeout(resolve, graceMs));
      // A login, logout or revocation of our own is in flight: its outcome decides.
      const changing = this.auth.sessionChanging;
      if (changing !== null) await changing;
      if (socket !== this.current || !this.auth.getSnapshot().isAuthenticated) return;
      await this.auth.refresh();
    } catch (error) {
      // 401: the auth store is logged out and closes this connection.
      unreachable = error instanceof ParlorApiError && (error.code === "network_error" || error.status >= 500);
      if (socket === this.current && !unreachable) {
        this.setState({ state: "disconnected", error: new ParlorApiError(code, "Could not restore the realtime connection", { cause: error }) });
        return;
      }
    } finally {
      this.recovering = false;
    }
    if (socket !== this.current) return;

    let delay: number;
    if (unreachable) {
      // The server is restarting: ask again as often as socket.io would reconnect.
      delay = backoffDelay(socket, this.unreachableAttempts++);
    } else {
      this.unreachableAttempts = 0;
      const now = Date.now();
      this.recoveryStreak = now - this.lastRecoveryAt < RECOVERY_WINDOW_MS ? this.recoveryStreak + 1 : 0;
      this.lastRecoveryAt = now;
      delay = Math.min(MAX_RECOVERY_DELAY_MS, this.recoveryStreak === 0 ? 0 : 500 * 2 ** this.recoveryStreak);
    }
    const next = () => {
      this.pendingRetry = null;
      if (socket !== this.current) return;
      if (unreachable) {
        this.recoveryUsed = false;
        void this.recover(socket, code);
        return;
      }
      this.lastAttemptAt = Date.now();
      this.refreshManagerOptions(socket);
      socket.connect();
    };
    if (delay === 0) return next();
    this.pendingRetry = next;
    this.recoveryTimer = setTimeout(next, delay);
  }

  /** The handshake was refused for now, not for good: try the same socket again later. */
  private retryLater(socket: ParlorSocket): void {
    if (socket !== this.current) return;
    this.setState({ state: "connecting" });
    const next = () => {
      this.pendingRetry = null;
      if (socket !== this.current || socket.connected) return;
      this.lastAttemptAt = Date.now();
      this.refreshManagerOptions(socket);
      socket.connect();
    };
    clearTimeout(this.recoveryTimer);
    this.pendingRetry = next;
    this.recoveryTimer = setTimeout(next, refusalDelay(this.refusals++));
  }
}

/**
 * The wait before retry number `attempt` (0-based) after a handshake refused for now: the
 * session already has the most sockets allowed (another tab), or the server cannot check it
 * (database away). socket.io does not retry a refusal that carries a code, and every attempt
 * counts against the per-address handshake limit, so these back off further than
 * reconnections: 1 s doubling to 30 s, ±50 %.
 */
function refusalDelay(attempt: number): number {
  return Math.round(Math.min(MAX_RECOVERY_DELAY_MS, 1000 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
}

/**
 * The wait before retry number `attempt` (0-based), with the socket's own back-off settings,
 * for the retries socket.io does not make itself (`/auth/me` while the server is away).
 * socket.io does not export its back-off, hence these few lines.
 */
function backoffDelay(socket: ParlorSocket, attempt: number): number {
  const manager = socket.io;
  const base = manager.reconnectionDelay() * 2 ** Math.min(attempt, 30);
  const jitter = manager.randomizationFactor() * (2 * Math.random() - 1);
  return Math.max(0, Math.min(manager.reconnectionDelayMax(), Math.round(base * (1 + jitter))));
}

/**
 * Calls `wakeUp` when the browser goes back online, the window regains focus or the page
 * becomes visible again. Does nothing where there is no window (Node, React Native): the core
 * must run there too. Returns the function that stops listening.
 */
function listenForWakeUps(wakeUp: () => void): () => void {
  const target = globalThis as Partial<Pick<Window, "addEventListener" | "removeEventListener" | "document">>;
  if (typeof target.addEventListener !== "function" || typeof target.removeEventListener !== "function") return () => {};
  const doc = typeof target.document?.addEventListener === "function" ? target.document : undefined;
  const onVisibilityChange = () => {
    if (doc?.visibilityState === "visible") wakeUp();
  };
  target.addEventListener("online", wakeUp);
  target.addEventListener("focus", wakeUp);
  doc?.addEventListener("visibilitychange", onVisibilityChange);
  return () => {
    target.removeEventListener?.("online", wakeUp);
    target.removeEventListener?.("focus", wakeUp);
    doc?.removeEventListener("visibilitychange", onVisibilityChange);
  };
}

function queryOf(options: Partial<ManagerOptions & SocketOptions>): Record<string, string> {
  return typeof options.query === "object" && options.query !== null ? options.query : {};
}

/** socket.io reads a URL path as a namespace: split the base URL into origin and socket path. */
function socketTarget(baseUrl: string): { origin: string | undefined; path: string } {
  if (baseUrl === "") return { origin: undefined, path: "/socket.io" };
  if (baseUrl.startsWith("/")) return { origin: undefined, path: `${baseUrl}/socket.io` };
  const url = new URL(baseUrl);
  const prefix = url.pathname.replace(/\/+$/, "");
  return { origin: url.origin, path: `${prefix}/socket.io` };
}
