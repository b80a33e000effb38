import type { WireErrorCode } from "./error-codes.js";

/**
 * The body of every HTTP error answer. `Code` narrows it for one side: the server answers
 * only `HttpErrorCode`s, while a client reads any `WireErrorCode`.
 *
 * @example
 * const body: ErrorBody = { error: { code: "not_found", message: "No such thread" } };
 */
export interface ErrorBody<Code extends WireErrorCode = WireErrorCode> {
  error: { code: Code; message: string };
}
