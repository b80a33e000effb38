import {
  checkJsonPayload,
  EMBED_FUNCTION_NAME_PATTERN,
  EMBED_MAX_JSON_BYTES,
  type ClientCallAnswer,
  type EmbedFunctionErrorCode,
  type JsonValue,
} from "@parlor/protocol";
import { isObject } from "./narrow.js";
import type { SocketConnection } from "./socket-connection.js";

/**
 * Runs a function the app asked for with `chat.callClient(name, args)`. Its result must be
 * plain JSON of at most `EMBED_MAX_JSON_BYTES`. In the widget's iframe, it relays the call to
 * the host page through the loader.
 */
export type ClientCallHandler = (name: string, args: JsonValue) => unknown;

/**
 * Thrown by a handler to answer with a specific code, e.g. `unknown_function` when the host
 * page has no such function. Anything else thrown answers `function_failed`.
 */
export class ClientFunctionError extends Error {
  override readonly name = "ClientFunctionError";
  constructor(
    readonly code: EmbedFunctionErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The codes the server passes on to the app (packages/server/src/chat/client-call.ts); others become `function_failed`. */
const ANSWERABLE_CODES: ReadonlySet<string> = new Set(["unknown_function", "function_failed", "too_large", "not_json", "timeout", "not_connected"]);
/** The server cuts longer messages; cutting here keeps the acknowledgement small. */
const MAX_MESSAGE_LENGTH = 1000;

/**
 * The `client:call` events of the socket: each one runs the registered handler and answers
 * the acknowledgement `{ ok: true, result }` or `{ ok: false, error: { code, message } }`
 * (`ClientCallAnswer` of `@parlor/protocol`). One handler at a time; without one, every call
 * is answered `unknown_function`, so the app's `callClient` fails at once instead of timing out.
 */
export class ClientCalls {
  private handler: ClientCallHandler | null = null;

  constructor(connection: SocketConnection) {
    connection.on("client:call", (call, ack) => {
      if (typeof ack !== "function") return; // the server always asks for one; nobody to answer otherwise
      void this.answer(call).then((answer) => (ack as (answer: ClientCallAnswer) => void)(answer));
    });
  }

  /** Sets the handler (replacing any other); returns the function that removes it. */
  register(handler: ClientCallHandler): () => void {
    if (typeof handler !== "function") throw new TypeError("onClientCall(handler): handler must be a function");
    this.handler = handler;
    return () => {
      if (this.handler === handler) this.handler = null;
    };
  }

  private async answer(call: unknown): Promise<ClientCallAnswer> {
    if (!isObject(call) || typeof call.name !== "string" || !EMBED_FUNCTION_NAME_PATTERN.test(call.name)) {
      return failure("function_failed", "Malformed client call");
    }
    const args = checkJsonPayload(call.args, EMBED_MAX_JSON_BYTES);
    if (!args.ok) return failure(args.code, `The arguments of ${call.name}: ${args.message}`);
    const handler = this.handler;
    if (handler === null) return failure("unknown_function", `No client function handler is registered (${call.name})`);
    let result: unknown;
    try {
      result = await handler(call.name, args.value);
    } catch (error) {
      if (error instanceof ClientFunctionError && ANSWERABLE_CODES.has(error.code)) return failure(error.code, error.message);
      return failure("function_failed", error instanceof Error ? error.message : "The function failed");
    }
    const checked = checkJsonPayload(result, EMBED_MAX_JSON_BYTES);
    if (!checked.ok) return failure(checked.code, `The result of ${call.name}: ${checked.message}`);
    return { ok: true, result: checked.value };
  }
}

function failure(code: EmbedFunctionErrorCode, message: string): ClientCallAnswer {
  return { ok: false, error: { code, message: message.slice(0, MAX_MESSAGE_LENGTH) } };
}
