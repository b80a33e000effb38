/// <reference lib="dom" />
/**
 * The iframe end of the embed protocol, as the test's fake Parlor serves it at `/embed/<id>`.
 * It does what the real embed page must do, with the same validators from @parlor/protocol:
 * hello to `window.parent` at the exact host origin from its URL, a port accepted only from
 * the parent window at that origin, everything else over the port. Tests drive it through
 * `window.fakeChat` (`frame.evaluate`); `callClient` behaves like the app's `chat.callClient`.
 */
import {
  checkJsonPayload,
  EMBED_PROTOCOL_VERSION,
  isEmbedConnect,
  isHostToFrameMessage,
  type EmbedHello,
  type FrameToHostMessage,
  type HostToFrameMessage,
  type JsonValue,
} from "@parlor/protocol";

type Pending = { resolve: (value: JsonValue) => void; reject: (error: Error & { code?: string }) => void };

const hostOrigin = new URLSearchParams(location.search).get("host") ?? "";
let port: MessagePort | null = null;
let nextId = 0;
const pending = new Map<string, Pending>();
const tokenWaiters = new Map<string, Pending>();

const state = {
  connects: 0,
  ignoredWindowMessages: 0,
  invalidPortMessages: 0,
  tokens: [] as string[],
  tokenErrors: [] as { code: string; message: string }[],
  sentMessages: [] as string[],
  visibility: [] as boolean[],
};

function fail(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

function post(message: FrameToHostMessage | Record<string, unknown>): void {
  if (port === null) throw fail("not_connected", "no port yet");
  port.postMessage(message);
}

function onPortMessage(event: MessageEvent): void {
  const message: unknown = event.data;
  if (!isHostToFrameMessage(message)) {
    state.invalidPortMessages++;
    return;
  }
  handle(message);
}

function handle(message: HostToFrameMessage): void {
  switch (message.type) {
    case "token":
      // The real frame exchanges it at POST /auth/token and keeps the result in memory.
      state.tokens.push(message.token);
      tokenWaiters.get(message.requestId)?.resolve(message.token);
      tokenWaiters.delete(message.requestId);
      document.getElementById("status")!.textContent = "signed in";
      return;
    case "token-error":
      state.tokenErrors.push(message.error);
      tokenWaiters.get(message.requestId)?.reject(fail(message.error.code, message.error.message));
      tokenWaiters.delete(message.requestId);
      return;
    case "function-result": {
      const call = pending.get(message.callId);
      if (call === undefined) return;
      pending.delete(message.callId);
      if (!message.ok) return call.reject(fail(message.error.code, message.error.message));
      const checked = checkJsonPayload(message.result);
      if (!checked.ok) return call.reject(fail(checked.code, checked.message));
      return call.resolve(checked.value);
    }
    case "send-message":
      state.sentMessages.push(message.text);
      return;
    case "visibility":
      state.visibility.push(message.open);
      return;
  }
}

function requestToken(): Promise<JsonValue> {
  const requestId = `t${++nextId}`;
  return new Promise((resolve, reject) => {
    tokenWaiters.set(requestId, { resolve, reject });
    post({ type: "token-request", requestId });
  });
}

window.addEventListener("message", (event) => {
  // Only the embedding page, at the origin the server checked, may hand over the port.
  if (event.source !== window.parent || event.origin !== hostOrigin || !isEmbedConnect(event.data) || event.ports[0] === undefined) {
    state.ignoredWindowMessages++;
    return;
  }
  port?.close();
  port = event.ports[0];
  port.onmessage = onPortMessage;
  state.connects++;
  requestToken().catch(() => {});
});

window.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && port !== null) post({ type: "close" });
});

const fakeChat = {
  state,
  requestToken,
  /** Like `chat.callClient(name, args, { timeout })` in an app. */
  callClient(name: string, args: unknown, options: { timeout?: number } = {}): Promise<JsonValue> {
    const checked = checkJsonPayload(args);
    if (!checked.ok) return Promise.reject(fail(checked.code, checked.message));
    if (port === null) return Promise.reject(fail("not_connected", "The host page is not connected"));
    const callId = `c${++nextId}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(callId);
        reject(fail("timeout", `"${name}" did not answer within ${options.timeout ?? 10_000} ms`));
      }, options.timeout ?? 10_000);
      pending.set(callId, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      post({ type: "function-call", callId, name, args: checked.value });
    });
  },
  /** Posts anything on the port, bypassing this frame's own checks (to test the loader's). */
  raw(message: Record<string, unknown>): void {
    post(message);
  },
  /** Settles the next raw `function-call` with this callId. */
  awaitResult(callId: string): Promise<unknown> {
    return new Promise((resolve) => pending.set(callId, { resolve, reject: (error) => resolve({ code: error.code, message: error.message }) }));
  },
};
(window as unknown as { fakeChat: typeof fakeChat }).fakeChat = fakeChat;

const hello: EmbedHello = { type: "parlor:hello", version: EMBED_PROTOCOL_VERSION };
window.parent.postMessage(hello, hostOrigin);
