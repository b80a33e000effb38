import type { ClientToServerEvents, ServerToClientEvents } from "@parlor/protocol";
import { io, type Socket } from "socket.io-client";
import { registerCleanup } from "./cleanup.js";
import type { TestClient } from "./test-client.js";
import type { TestServer } from "./test-server.js";

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ConnectOptions {
  /** Defaults to the server's own origin; `null` sends none. */
  origin?: string | null;
  /** Defaults to the client's CSRF token. */
  csrfToken?: string | null;
  /** A bearer token instead of the cookie: in `auth.token` and, as the server requires, in `Authorization`. */
  token?: string;
  /** socket.io's path on the server: `<basePath>/socket.io` for an app under a prefix (default `/socket.io`). */
  path?: string;
}

/**
 * A socket.io client over a real websocket, with the cookies of the test client's jar, as a
 * page on the server's origin opens it. Closed by itself when the test ends (before the server
 * stops); a failed handshake rejects with socket.io's `connect_error`.
 */
export function connectSocket(t: Pick<TestServer, "origin">, client: TestClient | null, options: ConnectOptions = {}): Promise<ClientSocket> {
  const origin = options.origin === undefined ? t.origin : options.origin;
  const headers: Record<string, string> = {};
  if (origin !== null) headers.origin = origin;
  const cookie = client?.jar.cookieHeader(t.origin) ?? "";
  if (cookie !== "" && !options.token) headers.cookie = cookie;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const csrfToken = options.csrfToken === undefined ? client?.csrfToken : options.csrfToken;
  const socket: ClientSocket = io(t.origin, {
    ...(options.path === undefined ? {} : { path: options.path }),
    transports: ["websocket"],
    extraHeaders: headers,
    auth: { ...(csrfToken ? { csrfToken } : {}), ...(options.token ? { token: options.token } : {}) },
    reconnection: false,
    forceNew: true,
  });
  registerCleanup(() => void socket.close());
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Every server event a socket receives, in order, with a way to wait for one. */
export class EventLog {
  readonly events: Array<{ event: string; data: any }> = [];
  private waiters: Array<() => void> = [];

  constructor(socket: ClientSocket) {
    socket.onAny((event: string, data: unknown) => {
      this.events.push({ event, data });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  of(event: string): any[] {
    return this.events.filter((e) => e.event === event).map((e) => e.data);
  }

  async waitFor(predicate: (entry: { event: string; data: any }) => boolean, timeoutMs = 5000): Promise<{ event: string; data: any }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`event not seen; got ${JSON.stringify(this.events.map((e) => e.event))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** Emits with an acknowledgement and resolves with the server's answer. */
export function request<E extends keyof ClientToServerEvents>(socket: ClientSocket, event: E, payload: unknown): Promise<any> {
  return (socket as any).timeout(5000).emitWithAck(event, payload);
}

/**
 * Resolves with the payload of the next `event` on `socket` (a socket.io client or any
 * emitter with `once`/`off`); rejects after `timeoutMs` naming the event, so a missing event
 * fails fast with a message instead of the test's timeout.
 */
export function waitForEvent<T = any>(socket: ClientSocket | Emitter, event: string, timeoutMs = 5000): Promise<T> {
  // A typed socket.io client names its events; any event name is fine here.
  const emitter = socket as Emitter;
  return new Promise<T>((resolve, reject) => {
    const listener = (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no "${event}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.once(event, listener);
  });
}

/** Anything with `once` and `off`, such as a Node EventEmitter. */
interface Emitter {
  once(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}
