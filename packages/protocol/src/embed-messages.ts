/**
 * The messages between the widget loader on the host page (`@parlor/widget`) and the chat
 * iframe served at `/embed/<id>`. Both ends run the validators below on everything they
 * receive: a message comes from another program, so its type is only a claim.
 *
 * The handshake happens on `window.postMessage` with exact target origins:
 * 1. the iframe posts `EmbedHello` to `window.parent`, target origin = the host origin named in
 *    its URL (`/embed/<id>?host=<origin>`);
 * 2. the loader accepts it only from its own iframe's window and the server's origin, creates
 *    a `MessageChannel` and posts `EmbedConnect` to the iframe with one port transferred,
 *    target origin = the server origin.
 * Everything else travels over that port, which no other window holds.
 */

/** Bumped when a message changes incompatibly; both sides refuse another version. */
export const EMBED_PROTOCOL_VERSION = 1;

/** Largest function argument or result, in bytes of its UTF-8 JSON text. Checked on both sides. */
export const EMBED_MAX_JSON_BYTES = 64 * 1024;

/** Largest host token the loader forwards (a JWT is a few hundred bytes). */
export const EMBED_MAX_TOKEN_LENGTH = 8 * 1024;

/** Largest text `Parlor.sendMessage` accepts, in bytes of UTF-8 (the server's default message limit). */
export const EMBED_MAX_MESSAGE_BYTES = 64 * 1024;

/** A value that survives `JSON.stringify` / `JSON.parse` unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Why a client function call failed: the `code` of `function-result`'s error. */
export type EmbedFunctionErrorCode =
  /** No function of that name is registered on the host page. */
  | "unknown_function"
  /** The function threw or its promise rejected. */
  | "function_failed"
  /** The arguments or the result exceed `EMBED_MAX_JSON_BYTES`. */
  | "too_large"
  /** The arguments or the result are not JSON (a function, a Date, a cycle, NaN…). */
  | "not_json"
  /** No result within the caller's timeout (raised by the iframe, never sent). */
  | "timeout"
  /** The host page is gone or the widget was unmounted (raised by the iframe, never sent). */
  | "not_connected";

/** Why the host could not provide a token: the `code` of `token-error`. */
export type EmbedTokenErrorCode =
  /** `getToken()` threw or its promise rejected. */
  | "token_failed"
  /** `getToken()` returned something other than a non-empty string of at most `EMBED_MAX_TOKEN_LENGTH`. */
  | "invalid_token";

export interface EmbedError<Code extends string> {
  code: Code;
  message: string;
}

// ---------------------------------------------------------------------------------------
// Handshake (window.postMessage)

/** iframe → `window.parent`: the chat is loaded and waits for its port. */
export interface EmbedHello {
  type: "parlor:hello";
  version: typeof EMBED_PROTOCOL_VERSION;
}

/** loader → iframe, with `event.ports[0]` the iframe's end of the channel. */
export interface EmbedConnect {
  type: "parlor:connect";
  version: typeof EMBED_PROTOCOL_VERSION;
}

// ---------------------------------------------------------------------------------------
// Over the port

/** Messages the iframe sends to the loader. */
export type FrameToHostMessage =
  /** Asks for a fresh host token (at start and before the current one expires). */
  | { type: "token-request"; requestId: string }
  /** Calls a function the host registered with `Parlor.registerFunction`. */
  | { type: "function-call"; callId: string; name: string; args: JsonValue }
  /** The user asked to close the panel from inside the chat (Escape, a close button). */
  | { type: "close" }
  /** Replies the user has not seen, shown on the launcher while the panel is closed. */
  | { type: "unread"; count: number };

/** Messages the loader sends to the iframe. */
export type HostToFrameMessage =
  | { type: "token"; requestId: string; token: string }
  | { type: "token-error"; requestId: string; error: EmbedError<EmbedTokenErrorCode> }
  | { type: "function-result"; callId: string; ok: true; result: JsonValue }
  | { type: "function-result"; callId: string; ok: false; error: EmbedError<EmbedFunctionErrorCode> }
  /** `Parlor.sendMessage(text)`: send `text` as the user. */
  | { type: "send-message"; text: string }
  /** The panel was shown or hidden (the iframe may focus its composer or clear its unread count). */
  | { type: "visibility"; open: boolean };

// ---------------------------------------------------------------------------------------
// Validators

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Function names as a host registers them: an identifier, dots allowed (`cart.add`). */
export const EMBED_FUNCTION_NAME_PATTERN = /^[A-Za-z_$][A-Za-z0-9_$.-]{0,63}$/;
/** Nesting deeper than this is refused rather than walked (a stack overflow is not an answer). */
const MAX_JSON_DEPTH = 64;

const FUNCTION_ERROR_CODES: ReadonlySet<string> = new Set<EmbedFunctionErrorCode>([
  "unknown_function",
  "function_failed",
  "too_large",
  "not_json",
  "timeout",
  "not_connected",
]);
const TOKEN_ERROR_CODES: ReadonlySet<string> = new Set<EmbedTokenErrorCode>(["token_failed", "invalid_token"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function hasOnlyKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(value).every((key) => keys.includes(key));
}

function isId(value: unknown): value is string {
  return typeof value === "string" && ID_PATTERN.test(value);
}

function isError(value: unknown, codes: ReadonlySet<string>): boolean {
  return (
    isRecord(value) &&
    hasOnlyKeys(value, ["code", "message"]) &&
    typeof value.code === "string" &&
    codes.has(value.code) &&
    typeof value.message === "string" &&
    value.message.length <= 1000
  );
}

/**
 * True for plain JSON: structured clone (which carries port messages) also passes Dates, Maps,
 * typed arrays and cycles, and a page must not receive those where it expects JSON.
 */
export function isJsonValue(value: unknown, depth = 0): value is JsonValue {
  if (depth > MAX_JSON_DEPTH) return false;
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  if (isRecord(value)) return Object.values(value).every((item) => isJsonValue(item, depth + 1));
  return false;
}

/** Bytes of `text` in UTF-8 (the protocol package has no DOM or Node types, so no TextEncoder). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Checks a function argument or result before it is sent or after it is received:
 * `not_json` or `too_large` (over `limit` bytes of UTF-8 JSON), else ok. `undefined` (a
 * function that returns nothing) counts as `null`.
 */
export function checkJsonPayload(
  value: unknown,
  limit: number = EMBED_MAX_JSON_BYTES,
): { ok: true; value: JsonValue; bytes: number } | { ok: false; code: "not_json" | "too_large"; message: string } {
  const normalized = value === undefined ? null : value;
  if (!isJsonValue(normalized)) return { ok: false, code: "not_json", message: "The value is not plain JSON" };
  const bytes = utf8ByteLength(JSON.stringify(normalized));
  if (bytes > limit) return { ok: false, code: "too_large", message: `The value is ${bytes} bytes of JSON; the limit is ${limit}` };
  return { ok: true, value: normalized, bytes };
}

export function isEmbedHello(value: unknown): value is EmbedHello {
  return isRecord(value) && value.type === "parlor:hello" && value.version === EMBED_PROTOCOL_VERSION;
}

export function isEmbedConnect(value: unknown): value is EmbedConnect {
  return isRecord(value) && value.type === "parlor:connect" && value.version === EMBED_PROTOCOL_VERSION;
}

/**
 * Validates what the loader receives on its port. The shape only: the loader checks the
 * size of `args` itself, so an oversize call is answered `too_large` instead of dropped.
 */
export function isFrameToHostMessage(value: unknown): value is FrameToHostMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case "token-request":
      return hasOnlyKeys(value, ["type", "requestId"]) && isId(value.requestId);
    case "function-call":
      return (
        hasOnlyKeys(value, ["type", "callId", "name", "args"]) &&
        isId(value.callId) &&
        typeof value.name === "string" &&
        EMBED_FUNCTION_NAME_PATTERN.test(value.name) &&
        "args" in value &&
        isJsonValue(value.args)
      );
    case "close":
      return hasOnlyKeys(value, ["type"]);
    case "unread":
      return hasOnlyKeys(value, ["type", "count"]) && Number.isSafeInteger(value.count) && (value.count as number) >= 0;
    default:
      return false;
  }
}

/** Validates what the iframe receives on its port. The iframe checks the size of `result` itself. */
export function isHostToFrameMessage(value: unknown): value is HostToFrameMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case "token":
      return (
        hasOnlyKeys(value, ["type", "requestId", "token"]) &&
        isId(value.requestId) &&
        typeof value.token === "string" &&
        value.token.length > 0 &&
        value.token.length <= EMBED_MAX_TOKEN_LENGTH
      );
    case "token-error":
      return hasOnlyKeys(value, ["type", "requestId", "error"]) && isId(value.requestId) && isError(value.error, TOKEN_ERROR_CODES);
    case "function-result":
      if (!isId(value.callId)) return false;
      if (value.ok === true) return hasOnlyKeys(value, ["type", "callId", "ok", "result"]) && "result" in value && isJsonValue(value.result);
      if (value.ok === false) return hasOnlyKeys(value, ["type", "callId", "ok", "error"]) && isError(value.error, FUNCTION_ERROR_CODES);
      return false;
    case "send-message":
      return (
        hasOnlyKeys(value, ["type", "text"]) &&
        typeof value.text === "string" &&
        value.text.trim().length > 0 &&
        utf8ByteLength(value.text) <= EMBED_MAX_MESSAGE_BYTES
      );
    case "visibility":
      return hasOnlyKeys(value, ["type", "open"]) && typeof value.open === "boolean";
    default:
      return false;
  }
}
