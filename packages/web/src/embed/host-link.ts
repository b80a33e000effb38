/**
 * The iframe's end of the embed protocol (`@parlor/protocol`'s embed-messages.ts), framework-
 * free: the handshake with the widget loader on the host page, then the private
 * `MessageChannel` port for everything else. The rules are the loader README's "What the embed
 * page must do":
 * - `hello` goes to `window.parent` with the exact host origin as target (never `"*"`): if the
 *   actual parent has another origin, the browser drops it;
 * - `connect` is accepted only from `window.parent`, from that origin, with a port;
 * - every port message is validated, and function results are checked as JSON again;
 * - tokens pass through in memory and are never kept here.
 */
import {
  checkJsonPayload,
  EMBED_PROTOCOL_VERSION,
  isEmbedConnect,
  isHostToFrameMessage,
  type EmbedError,
  type EmbedFunctionErrorCode,
  type EmbedHello,
  type FrameToHostMessage,
  type HostToFrameMessage,
  type JsonValue,
} from "@parlor/protocol";

/** A failed relay: the `code` is one of the protocol's (`timeout`, `unknown_function`, `token_failed`…). */
export class HostLinkError extends Error {
  override readonly name = "HostLinkError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** How long the host has to answer a token request: the loader bounds `getToken()` at 15 s. */
const TOKEN_TIMEOUT_MS = 20_000;
/**
 * A leak guard, not the call's deadline: the app's `chat.callClient` timeout (at most 5 minutes
 * on the server) ends the call, and an answer that comes later is dropped by the server.
 */
const FUNCTION_TIMEOUT_MS = 310_000;

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: HostLinkError): void;
  timer: ReturnType<typeof setTimeout>;
}

export interface HostLinkEvents {
  /** `Parlor.sendMessage(text)` on the host page. */
  onSendMessage(text: string): void;
  /** The panel was shown or hidden. */
  onVisibility(open: boolean): void;
}

/**
 * One link to the host page. `start()` says hello; until the loader connects, requests wait
 * (tokens are asked for as soon as the port arrives). If the loader connects again (it does
 * when this document says hello again), the newest port wins.
 */
export class HostLink {
  private port: MessagePort | null = null;
  private nextId = 0;
  private readonly tokenWaiters = new Map<string, Waiter<string>>();
  private readonly callWaiters = new Map<string, Waiter<JsonValue>>();
  /** Posts waiting for the port (a token request made before the handshake ended). */
  private readonly queue: FrameToHostMessage[] = [];
  private readonly onWindowMessage = (event: MessageEvent) => this.accept(event);

  constructor(
    /** The host origin the server checked (`?host=`): the only one this frame talks to. */
    readonly hostOrigin: string,
    private readonly events: HostLinkEvents,
    private readonly target: Window = window.parent,
  ) {}

  /** Listens for `connect` and posts `hello` to the parent at the host origin. */
  start(): void {
    window.addEventListener("message", this.onWindowMessage);
    const hello: EmbedHello = { type: "parlor:hello", version: EMBED_PROTOCOL_VERSION };
    this.target.postMessage(hello, this.hostOrigin);
  }

  get connected(): boolean {
    return this.port !== null;
  }

  /** A fresh host token from the host page's `getToken()`; rejects with `token_failed`, `invalid_token` or `timeout`. */
  requestToken(): Promise<string> {
    const requestId = this.id("t");
    return this.wait(this.tokenWaiters, requestId, TOKEN_TIMEOUT_MS, "The host page did not provide a token in time", () =>
      this.post({ type: "token-request", requestId }),
    );
  }

  /**
   * Runs a function the host page registered (`Parlor.registerFunction`). Rejects with the
   * host's code (`unknown_function`, `function_failed`, `too_large`, `not_json`) or `timeout`.
   */
  callFunction(name: string, args: JsonValue, timeoutMs = FUNCTION_TIMEOUT_MS): Promise<JsonValue> {
    const checked = checkJsonPayload(args);
    if (!checked.ok) return Promise.reject(new HostLinkError(checked.code, checked.message));
    const callId = this.id("c");
    return this.wait(this.callWaiters, callId, timeoutMs, `${name} did not answer within ${timeoutMs} ms`, () =>
      this.post({ type: "function-call", callId, name, args: checked.value }),
    );
  }

  /** The user closed the chat from inside (Escape). */
  requestClose(): void {
    if (this.port !== null) this.post({ type: "close" });
  }

  /** Replies the user has not seen, for the launcher's badge. */
  reportUnread(count: number): void {
    if (this.port !== null) this.post({ type: "unread", count });
  }

  /** Stops listening; pending requests fail with `not_connected`. */
  close(): void {
    window.removeEventListener("message", this.onWindowMessage);
    this.port?.close();
    this.port = null;
    this.failAll("not_connected", "The chat was closed");
  }

  private accept(event: MessageEvent): void {
    // Only the embedding page, at the origin the server checked, may hand over the port.
    // Anything else (another frame, a popup, a page that framed this one) is ignored.
    if (event.source !== this.target || event.origin !== this.hostOrigin || !isEmbedConnect(event.data)) return;
    const port = event.ports[0];
    if (port === undefined) return;
    this.port?.close();
    this.port = port;
    port.onmessage = (message) => this.receive(message.data);
    for (const queued of this.queue.splice(0)) port.postMessage(queued);
  }

  private receive(data: unknown): void {
    if (!isHostToFrameMessage(data)) return; // not ours to understand: dropped
    this.handle(data);
  }

  private handle(message: HostToFrameMessage): void {
    switch (message.type) {
      case "token":
        return this.settle(this.tokenWaiters, message.requestId, message.token);
      case "token-error":
        return this.settle(this.tokenWaiters, message.requestId, null, message.error);
      case "function-result": {
        if (!message.ok) return this.settle(this.callWaiters, message.callId, null, message.error);
        // The loader checked it; a result is checked again where it is used.
        const checked = checkJsonPayload(message.result);
        if (!checked.ok) return this.settle(this.callWaiters, message.callId, null, { code: checked.code, message: checked.message });
        return this.settle(this.callWaiters, message.callId, checked.value);
      }
      case "send-message":
        return this.events.onSendMessage(message.text);
      case "visibility":
        return this.events.onVisibility(message.open);
    }
  }

  private post(message: FrameToHostMessage): void {
    if (this.port === null) this.queue.push(message);
    else this.port.postMessage(message);
  }

  private id(prefix: string): string {
    return `${prefix}${++this.nextId}`;
  }

  private wait<T>(waiters: Map<string, Waiter<T>>, id: string, timeoutMs: number, timeoutMessage: string, send: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(id);
        reject(new HostLinkError("timeout", timeoutMessage));
      }, timeoutMs);
      waiters.set(id, { resolve, reject, timer });
      send();
    });
  }

  private settle<T>(waiters: Map<string, Waiter<T>>, id: string, value: T | null, error?: EmbedError<string>): void {
    const waiter = waiters.get(id);
    if (waiter === undefined) return; // late, or never asked: nothing waits for it
    waiters.delete(id);
    clearTimeout(waiter.timer);
    if (error !== undefined) waiter.reject(new HostLinkError(error.code, error.message));
    else waiter.resolve(value as T);
  }

  private failAll(code: EmbedFunctionErrorCode, message: string): void {
    for (const waiters of [this.tokenWaiters, this.callWaiters] as Map<string, Waiter<unknown>>[]) {
      for (const [id, waiter] of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new HostLinkError(code, message));
        waiters.delete(id);
      }
    }
  }
}
