import type { ClientCallOptions } from "../app/define-app.js";
import { checkJsonPayload, EMBED_FUNCTION_NAME_PATTERN, EMBED_MAX_JSON_BYTES, type ClientCall, type JsonValue } from "@parlor/protocol";

/** Why `chat.callClient` failed: a stable code to match on. */
export type ClientCallErrorCode =
  /** The message did not come from a widget client (the web UI, an API client) or the call came from no message. */
  | "not_widget"
  /** The host page registered no function of that name. */
  | "unknown_function"
  /** The host's function threw, or answered with something that is not a result. */
  | "function_failed"
  /** No answer within the timeout. */
  | "timeout"
  /** The arguments or the result exceed `EMBED_MAX_JSON_BYTES` of JSON. */
  | "too_large"
  /** The arguments or the result are not plain JSON. */
  | "not_json"
  /** The widget's socket closed before it answered. */
  | "not_connected";

/** A refused or failed `chat.callClient`. */
export class ClientCallError extends Error {
  override readonly name = "ClientCallError";
  constructor(
    readonly code: ClientCallErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How the realtime layer reaches the one widget socket a message came from: resolves with the
 * raw acknowledgement (unchecked: it comes from the browser), `timeout` or `disconnected`.
 */
export type ClientCaller = (call: ClientCall, timeoutMs: number) => Promise<{ answer: unknown } | "timeout" | "disconnected">;

// Milliseconds, as `setTimeout` and socket.io's `timeout()` (and the widget README's example) count.
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_TIMEOUT_MS = 300_000;
const ERROR_CODES: ReadonlySet<string> = new Set(["unknown_function", "function_failed", "too_large", "not_json", "timeout", "not_connected"]);

/**
 * `chat.callClient(name, args, { timeout })`: asks the widget client that sent the message to
 * run the host page's function `name`, and returns its JSON result. Everything the client
 * answers is checked here, as input from another program.
 */
export async function callClient(caller: ClientCaller | undefined, name: string, args: unknown, options: ClientCallOptions = {}): Promise<JsonValue> {
  if (typeof name !== "string" || !EMBED_FUNCTION_NAME_PATTERN.test(name)) {
    throw new TypeError("chat.callClient(name): name must be an identifier, dots allowed (cart.add)");
  }
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeout !== "number" || !(timeout > 0) || timeout > MAX_TIMEOUT_MS) {
    throw new TypeError(`chat.callClient: timeout must be a number of milliseconds above 0, at most ${MAX_TIMEOUT_MS}`);
  }
  if (caller === undefined) throw new ClientCallError("not_widget", "Only a widget client can run client functions, and this message did not come from one");
  const checkedArgs = checkJsonPayload(args, EMBED_MAX_JSON_BYTES);
  if (!checkedArgs.ok) throw new ClientCallError(checkedArgs.code, `The arguments of ${name}: ${checkedArgs.message}`);

  const outcome = await caller({ name, args: checkedArgs.value }, timeout);
  if (outcome === "timeout") throw new ClientCallError("timeout", `${name} did not answer within ${timeout} ms`);
  if (outcome === "disconnected") throw new ClientCallError("not_connected", `The widget closed before ${name} answered`);
  return resultOf(name, outcome.answer);
}

function resultOf(name: string, answer: unknown): JsonValue {
  if (typeof answer !== "object" || answer === null) throw new ClientCallError("function_failed", `${name} answered with no result`);
  const { ok, result, error } = answer as { ok?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } };
  if (ok === true) {
    const checked = checkJsonPayload(result, EMBED_MAX_JSON_BYTES);
    if (!checked.ok) throw new ClientCallError(checked.code, `The result of ${name}: ${checked.message}`);
    return checked.value;
  }
  const code = typeof error?.code === "string" && ERROR_CODES.has(error.code) ? (error.code as ClientCallErrorCode) : "function_failed";
  const message = typeof error?.message === "string" ? error.message.slice(0, 1000) : "the function failed";
  throw new ClientCallError(code, `${name}: ${message}`);
}
