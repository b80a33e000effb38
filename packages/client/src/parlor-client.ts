import type { SignedFileUrl } from "@parlor/protocol";
import { AppInfoStore } from "./app-info-store.js";
import { AuthStore } from "./auth-store.js";
import type { BearerAuthOptions } from "./bearer-credentials.js";
import { ChatStore } from "./chat-store.js";
import { ClientCalls, type ClientCallHandler } from "./client-calls.js";
import type { FileSource } from "./file-source.js";
import { FileUpload, type XhrFactory } from "./file-upload.js";
import { SignedFileUrls } from "./signed-file-urls.js";
import { SocketConnection, type ParlorSocket, type SocketOptionsInput } from "./socket-connection.js";
import { ThreadsStore, type ThreadListOptions } from "./threads-store.js";

export interface ParlorClientOptions {
  /**
   * Where the Parlor server is: `""` (the default) for the page's own origin, a path prefix
   * such as `"/chat"`, or an absolute `http(s)` URL. No trailing slash needed.
   */
  baseUrl?: string;
  /**
   * How the client is authenticated. `{ mode: "cookie" }` (the default): the server's HttpOnly
   * session cookie. `{ mode: "bearer", getHostToken }`: for the chat embedded in another site,
   * an access token exchanged for the host's tokens and kept in memory (README, "Bearer mode").
   */
  auth?: { mode: "cookie" } | BearerAuthOptions;
  /**
   * The `fetch` to use; the global one by default. Outside browsers (tests, React Native)
   * pass one that keeps cookies and sends `Origin`, as a browser would.
   */
  fetch?: typeof fetch;
  /**
   * Extra socket.io client options, e.g. `transports` or, outside browsers, `extraHeaders`
   * with the cookie. A function is called again before each new handshake, so it can hand
   * over the current cookie. `withCredentials`, `auth`, `forceNew` and `autoConnect` are fixed.
   */
  socketOptions?: SocketOptionsInput;
  /** The `XMLHttpRequest` to upload files with; the global one by default. */
  XMLHttpRequest?: XhrFactory;
  /** Leaves the page (OAuth login); `location.assign` by default. */
  navigate?: (url: string) => void;
  /** The path to return to after OAuth; the current `location` path, search and hash by default. */
  currentPath?: () => string;
}

/**
 * Everything a Parlor app needs on the client, without React: the session (`auth`), the
 * realtime connection, and factories for chat views, thread lists and uploads. The React
 * hooks are thin wrappers over these stores.
 *
 * @example
 * const client = createParlorClient({ baseUrl: "https://chat.example.com" });
 * client.start();
 * client.auth.subscribe(() => console.log(client.auth.getSnapshot().status));
 */
export class ParlorClient {
  readonly baseUrl: string;
  /** The session: user, CSRF token in memory, login and logout, sessions. */
  readonly auth: AuthStore;
  /** The realtime connection's state (`connecting`, `connected`, `disconnected`). */
  readonly connection: SocketConnection;
  /** What the app offers around the chat (`GET /api/app`): welcome, starters, settings, profiles. */
  readonly appInfo: AppInfoStore;
  private readonly Xhr: XhrFactory | undefined;
  private readonly clientCalls: ClientCalls;
  private readonly signedUrls: SignedFileUrls;
  private running = false;
  private openedEpoch: number | null = null;
  private unsubscribeAuth: (() => void) | null = null;

  constructor(options: ParlorClientOptions = {}) {
    const settings = validate(options);
    this.baseUrl = settings.baseUrl;
    this.auth = new AuthStore({
      baseUrl: settings.baseUrl,
      fetch: settings.fetch,
      navigate: settings.navigate,
      currentPath: settings.currentPath,
      ...(settings.auth.mode === "bearer" ? { bearer: settings.auth } : {}),
    });
    this.connection = new SocketConnection(settings.baseUrl, this.auth, settings.socketOptions);
    this.appInfo = new AppInfoStore(this.auth);
    this.Xhr = settings.XMLHttpRequest;
    this.clientCalls = new ClientCalls(this.connection);
    this.signedUrls = new SignedFileUrls(this.auth);
    // A renewed access token is a new session: the socket follows it (bearer mode).
    this.auth.onTokenRenewed(() => this.connection.reconnectWithNewToken());
  }

  /** The socket.io socket while connected or connecting; `null` when logged out. */
  get socket(): ParlorSocket | null {
    return this.connection.socket;
  }

  /**
   * Checks the session (`GET /auth/config`, `GET /auth/me`, once) and keeps one socket open
   * while authenticated. Safe to call again after `close()`.
   */
  start(): Promise<void> {
    if (!this.running) {
      this.running = true;
      this.unsubscribeAuth = this.auth.subscribe(() => this.syncConnection());
      this.syncConnection();
    }
    return this.auth.start();
  }

  /** Closes the socket and stops following the session. The session itself stays (see `auth.logout`). */
  close(): void {
    this.running = false;
    this.unsubscribeAuth?.();
    this.unsubscribeAuth = null;
    this.openedEpoch = null;
    this.connection.close();
    this.auth.stopRenewing();
  }

  /** A chat view of a thread (`null`: a new thread on the first send). */
  createChat(threadId: string | null = null): ChatStore {
    return new ChatStore(this.connection, this.auth, threadId);
  }

  /** A live, paginated list of the user's threads. */
  createThreadList(options: ThreadListOptions = {}): ThreadsStore {
    return new ThreadsStore(this.auth, this.connection, options);
  }

  /** An uploader with its own progress. */
  createFileUpload(): FileUpload {
    return new FileUpload(this.auth, this.Xhr);
  }

  /**
   * The URL of a stored file. On the server's own origin it works as a plain `<img src>` or
   * link: the session cookie rides along, and no token is ever put in the URL. From another
   * origin (a separate frontend) load it with `crossorigin="use-credentials"`, see
   * `fileSource`. Cookie mode only: in bearer mode an `<img>` has no credential to send, so
   * this throws; use `signedFileUrl`.
   */
  fileUrl(fileId: string): string {
    if (this.auth.isBearer) throw new TypeError("fileUrl() needs the session cookie; in bearer mode use signedFileUrl()");
    return `${this.baseUrl}/api/files/${encodeURIComponent(fileId)}`;
  }

  /**
   * A signed URL of a stored file, usable as a plain `<img src>` without any credential until
   * `expiresAt` (`files.signedUrlTtl`, 5 minutes by default). Made for bearer mode; works in
   * both. Links are reused until a minute before they expire.
   */
  signedFileUrl(fileId: string): Promise<SignedFileUrl> {
    return this.signedUrls.get(fileId);
  }

  /**
   * How to show a stored file in this client's mode, also from a page on another origin
   * (a separate frontend): the cookie mode's `fileUrl` with `crossOrigin: "use-credentials"`,
   * or bearer mode's signed URL with `crossOrigin: "anonymous"`. Set both on the element.
   *
   * @example
   * const { url, crossOrigin } = await client.fileSource(file.id);
   * img.crossOrigin = crossOrigin;
   * img.src = url;
   */
  async fileSource(fileId: string): Promise<FileSource> {
    if (!this.auth.isBearer) return { url: this.fileUrl(fileId), crossOrigin: "use-credentials", expiresAt: null };
    const { url, expiresAt } = await this.signedFileUrl(fileId);
    return { url, crossOrigin: "anonymous", expiresAt };
  }

  /**
   * Runs the app's `chat.callClient(name, args)` calls (`client:call` events, widget sockets
   * only): `handler` gets the name and the JSON arguments and returns the JSON result; throw
   * `ClientFunctionError` to answer with a specific code. One handler at a time; returns the
   * function that removes it.
   */
  onClientCall(handler: ClientCallHandler): () => void {
    return this.clientCalls.register(handler);
  }

  /** One socket per session: opened on login, replaced when the session changes, closed on logout. */
  private syncConnection(): void {
    if (!this.running) return;
    const { isAuthenticated } = this.auth.getSnapshot();
    const epoch = this.auth.epoch;
    if (!isAuthenticated) {
      this.openedEpoch = null;
      this.connection.close();
      return;
    }
    if (this.openedEpoch === epoch) return;
    if (this.openedEpoch !== null) this.connection.close();
    this.openedEpoch = epoch;
    this.connection.open();
  }
}

/**
 * Creates a client. Options are checked here (a mistake is a `TypeError` now, not a
 * failure later) and then fixed.
 *
 * @example
 * // In a browser, same origin: no options needed.
 * const client = createParlorClient();
 * // Elsewhere: a cookie-keeping fetch and the cookie for the socket handshake.
 * const node = createParlorClient({ baseUrl: "http://127.0.0.1:8000", fetch: jar.fetch, socketOptions: () => ({ extraHeaders: { cookie: jar.cookie } }) });
 */
export function createParlorClient(options: ParlorClientOptions = {}): ParlorClient {
  return new ParlorClient(options);
}

interface Settings {
  baseUrl: string;
  auth: { mode: "cookie" } | BearerAuthOptions;
  fetch: typeof fetch;
  socketOptions: SocketOptionsInput | undefined;
  XMLHttpRequest: XhrFactory | undefined;
  navigate: (url: string) => void;
  currentPath: () => string;
}

function validate(options: ParlorClientOptions): Readonly<Settings> {
  if (typeof options !== "object" || options === null) throw new TypeError("createParlorClient: options must be an object");
  const baseUrl = options.baseUrl ?? "";
  if (typeof baseUrl !== "string") throw new TypeError("createParlorClient: baseUrl must be a string");
  if (baseUrl !== "" && !baseUrl.startsWith("/") && !/^https?:\/\/[^/]/i.test(baseUrl)) {
    throw new TypeError(`createParlorClient: baseUrl must be "", a path starting with "/", or an http(s) URL (got ${JSON.stringify(baseUrl)})`);
  }
  if (baseUrl.startsWith("//")) throw new TypeError("createParlorClient: baseUrl must not be protocol-relative");
  for (const name of ["fetch", "XMLHttpRequest", "navigate", "currentPath"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function") {
      throw new TypeError(`createParlorClient: ${name} must be a function`);
    }
  }
  const auth = options.auth ?? { mode: "cookie" };
  if (typeof auth !== "object" || auth === null || (auth.mode !== "cookie" && auth.mode !== "bearer")) {
    throw new TypeError('createParlorClient: auth must be { mode: "cookie" } or { mode: "bearer", getHostToken }');
  }
  if (auth.mode === "bearer" && typeof auth.getHostToken !== "function") {
    throw new TypeError("createParlorClient: auth.getHostToken must be a function returning a promise of the host token");
  }
  const { socketOptions } = options;
  if (socketOptions !== undefined && typeof socketOptions !== "function" && (typeof socketOptions !== "object" || socketOptions === null)) {
    throw new TypeError("createParlorClient: socketOptions must be an object or a function");
  }
  const globalFetch = typeof globalThis.fetch === "function" ? globalThis.fetch.bind(globalThis) : undefined;
  const fetchImpl = options.fetch ?? globalFetch;
  if (fetchImpl === undefined) throw new TypeError("createParlorClient: no global fetch; pass `fetch`");
  return Object.freeze({
    baseUrl: baseUrl.replace(/\/+$/, ""),
    auth,
    fetch: fetchImpl,
    socketOptions,
    XMLHttpRequest: options.XMLHttpRequest ?? (typeof XMLHttpRequest === "function" ? XMLHttpRequest : undefined),
    navigate: options.navigate ?? ((url: string) => globalThis.location.assign(url)),
    currentPath:
      options.currentPath ??
      (() => {
        const location = globalThis.location;
        return location ? `${location.pathname}${location.search}${location.hash}` : "/";
      }),
  });
}
