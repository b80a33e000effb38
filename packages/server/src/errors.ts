/**
 * Every error Parlor answers with, by stable `code`. Clients match on `code`, never on
 * `message`; messages are for humans and never contain tokens or secrets.
 */
export const errorStatus = {
  invalid_request: 400,
  invalid_json: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  csrf: 403,
  forbidden: 403,
  not_found: 404,
  request_timeout: 408,
  payload_too_large: 413,
  range_not_satisfiable: 416,
  host_not_allowed: 421,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  insufficient_storage: 507,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

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
