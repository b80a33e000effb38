import type { ClientToServerEvents, ServerToClientEvents } from "@parlor/protocol";
import { io, type Socket } from "socket.io-client";
import type { TestClient, TestServer } from "./test-server.js";

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ConnectOptions {
  /** Defaults to the server's own origin; `null` sends none. */
  origin?: string | null;
  /** Defaults to the client's CSRF token. */
  csrfToken?: string | null;
  /** A bearer token instead of the cookie: in `auth.token` and, as the server requires, in `Authorization`. */
  token?: string;
}

/** A socket.io client over a real websocket, with the test client's cookie. */
export function connectSocket(t: TestServer, client: TestClient | null, options: ConnectOptions = {}): Promise<ClientSocket> {
  const origin = options.origin === undefined ? t.origin : options.origin;
  const headers: Record<string, string> = {};
  if (origin !== null) headers.origin = origin;
  if (client?.sessionCookie && !options.token) headers.cookie = `${client.cookieName}=${client.sessionCookie}`;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const csrfToken = options.csrfToken === undefined ? client?.csrfToken : options.csrfToken;
  const socket: ClientSocket = io(t.origin, {
    transports: ["websocket"],
    extraHeaders: headers,
    auth: { ...(csrfToken ? { csrfToken } : {}), ...(options.token ? { token: options.token } : {}) },
    reconnection: false,
    forceNew: true,
  });
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
