import type { WireErrorCode } from "@parlor/protocol";

/**
 * The codes a `ParlorApiError` can carry: every code the server sends (HTTP, realtime,
 * handshake and OAuth, from `@parlor/protocol`), and a few of the client's own for failures
 * without a server answer. Match on these, never on `message`.
 */
export type ParlorErrorCode =
  | WireErrorCode
  // the client's own
  | "network_error"
  | "invalid_response"
  | "timeout"
  | "aborted"
  // bearer mode: the host page's `getHostToken()` threw, or gave no string
  | "token_failed";

/**
 * A failure with a stable `code`. `status` is the HTTP status of the answer, or `0` when
 * there was none (network failure, socket error, timeout). Server messages never contain
 * tokens; this class adds none either.
 *
 * @example
 * try {
 *   await client.auth.login("alice", "wrong");
 * } catch (error) {
 *   if (error instanceof ParlorApiError && error.code === "invalid_credentials") showWrongPassword();
 *   if (error instanceof ParlorApiError && error.code === "rate_limited") wait(error.retryAfter);
 * }
 */
export class ParlorApiError extends Error {
  override readonly name = "ParlorApiError";
  /** Stable, snake_case. Unknown codes from a newer server are passed through as strings. */
  readonly code: ParlorErrorCode | (string & {});
  /** HTTP status, or 0 without an HTTP answer. */
  readonly status: number;
  /** Seconds to wait, from `Retry-After` (on `rate_limited`); `null` when not given. */
  readonly retryAfter: number | null;

  constructor(code: ParlorErrorCode | (string & {}), message: string, options: { status?: number; retryAfter?: number | null; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? 0;
    this.retryAfter = options.retryAfter ?? null;
  }
}

/** Reads `ErrorBody` (`{ error: { code, message } }`, from `@parlor/protocol`) from a failed HTTP answer; anything else keeps the status. */
export function errorFromResponse(status: number, body: string, retryAfterHeader: string | null): ParlorApiError {
  let code = status >= 500 ? "internal" : "invalid_response";
  let message = `The server answered ${status}`;
  try {
    const parsed: unknown = JSON.parse(body);
    const error = typeof parsed === "object" && parsed !== null ? (parsed as { error?: unknown }).error : undefined;
    if (typeof error === "object" && error !== null) {
      const fields = error as { code?: unknown; message?: unknown };
      if (typeof fields.code === "string" && fields.code !== "") code = fields.code;
      if (typeof fields.message === "string") message = fields.message;
    }
  } catch {
    // Not JSON (a proxy's error page): keep the generic code and status.
  }
  const seconds = retryAfterHeader === null ? NaN : Number(retryAfterHeader);
  return new ParlorApiError(code, message, { status, retryAfter: Number.isFinite(seconds) && seconds >= 0 ? seconds : null });
}
