import { checkJsonPayload, EMBED_FUNCTION_NAME_PATTERN, type EmbedError, type EmbedFunctionErrorCode, type JsonValue } from "@parlor/protocol";
import { WidgetError } from "./widget-error.js";

/** A function the host page offers to the app (`chat.callClient(name, args)`). */
export type ClientFunction = (args: JsonValue) => unknown;

export type FunctionOutcome = { ok: true; result: JsonValue } | { ok: false; error: EmbedError<EmbedFunctionErrorCode> };

/** Longest error message passed on from a thrown error: enough to debug, not a page of stack. */
const MAX_ERROR_MESSAGE = 500;

function describeThrown(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > MAX_ERROR_MESSAGE ? `${text.slice(0, MAX_ERROR_MESSAGE)}…` : text;
}

/**
 * The host page's functions by name. Lives for the page, not for one mount: a host may
 * register its functions before or after `Parlor.mount`, and across remounts.
 */
export class FunctionRegistry {
  readonly #functions = new Map<string, ClientFunction>();

  /** Typed for TypeScript callers, checked at run time for the JavaScript ones. */
  register(name: string, fn: ClientFunction): void {
    if (typeof name !== "string" || !EMBED_FUNCTION_NAME_PATTERN.test(name)) {
      throw new WidgetError("invalid_function", `Parlor.registerFunction: the name must match ${EMBED_FUNCTION_NAME_PATTERN} (got ${JSON.stringify(name)})`);
    }
    if (typeof fn !== "function") throw new WidgetError("invalid_function", `Parlor.registerFunction: "${name}" needs a function`);
    this.#functions.set(name, fn);
  }

  unregister(name: string): boolean {
    return this.#functions.delete(name);
  }

  /**
   * Runs a call from the chat and always settles with an outcome, never a throw: the iframe
   * waits for an answer to every call. Sizes are checked here too, because the iframe is
   * another program and its checks are not ours.
   */
  async call(name: string, args: JsonValue): Promise<FunctionOutcome> {
    const input = checkJsonPayload(args);
    if (!input.ok) return { ok: false, error: { code: input.code, message: `Arguments of "${name}": ${input.message}` } };
    const fn = this.#functions.get(name);
    if (fn === undefined) return { ok: false, error: { code: "unknown_function", message: `No function "${name}" is registered on the host page` } };
    let result: unknown;
    try {
      result = await fn(input.value);
    } catch (error) {
      return { ok: false, error: { code: "function_failed", message: `"${name}" failed: ${describeThrown(error)}` } };
    }
    const output = checkJsonPayload(result);
    if (!output.ok) return { ok: false, error: { code: output.code, message: `Result of "${name}": ${output.message}` } };
    return { ok: true, result: output.value };
  }
}
