import { httpErrorStatus, type ErrorBody as WireErrorBody, type HttpErrorCode } from "@parlor/protocol";

/**
 * Every error Parlor answers with, by stable `code`. Clients match on `code`, never on
 * `message`; messages are for humans and never contain tokens or secrets.
 */
export const errorStatus = httpErrorStatus;

export type ErrorCode = HttpErrorCode;

/** The JSON body of every error response (`ErrorBody` of `@parlor/protocol`, with the server's codes). */
export type ErrorBody = WireErrorBody<ErrorCode>;

/**
 * A failure with a stable code and its HTTP status. Thrown inside Parlor, turned into a
 * response only by the server's error handler.
 */
export class ParlorError extends Error {
  override readonly name = "ParlorError";
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra response headers, e.g. `Retry-After` on `rate_limited` and `unavailable`. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; headers?: Record<string, string> }) {
    super(message, options);
    this.code = code;
    this.status = errorStatus[code];
    this.headers = options?.headers ?? {};
  }

  toJSON(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

/** A mistake in the app's configuration: thrown at start-up, never at request time. */
export class ParlorConfigError extends TypeError {
  override readonly name = "ParlorConfigError";
}
