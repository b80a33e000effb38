import type { OAuthErrorCode } from "./oauth-types.js";

/**
 * Why an OAuth login did not complete. Never becomes a JSON error: the callback turns it
 * into a redirect to `/login?error=<code>`, and logs the message and the cause. Messages
 * never contain codes, tokens or secrets.
 */
export class OAuthFlowError extends Error {
  override readonly name = "OAuthFlowError";

  constructor(
    readonly code: OAuthErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
