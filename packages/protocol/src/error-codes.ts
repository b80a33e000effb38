/**
 * Every error code on the wire, in one table per channel. Clients match on `code`, never on
 * `message`. The server answers with these (its status map is this table) and the clients
 * derive their code types from them, so a code added here is a compile error wherever it is
 * not handled, instead of a string that drifts.
 */

/** HTTP error codes with their status: the body is `{ error: { code, message } }`. */
export const httpErrorStatus = {
  invalid_request: 400,
  invalid_json: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  /** `POST /auth/token`: the host token was refused; the message says which check failed. */
  invalid_token: 401,
  csrf: 403,
  forbidden: 403,
  /**
   * `GET /auth/cors-check`: the calling page's origin is not in `allowedOrigins`, so the
   * browser refuses it every credentialed answer; the message names the origin and the setting.
   */
  origin_not_allowed: 403,
  not_found: 404,
  /** `PUT /api/messages/:id/feedback` on a message that is not an assistant reply. */
  feedback_not_allowed: 422,
  request_timeout: 408,
  payload_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  host_not_allowed: 421,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  insufficient_storage: 507,
} as const;

export type HttpErrorCode = keyof typeof httpErrorStatus;

/** Codes of the socket `error` event and of `{ ok: false, error }` acknowledgements. */
export type ChatErrorCode =
  | "invalid_request"
  | "not_found"
  | "message_too_large"
  | "rate_limited"
  | "unauthenticated"
  | "app_error"
  | "busy"
  /** `action:run`: no such action, or it belongs to another user's message (the same answer). */
  | "unknown_action"
  /** `action:run`: the action ran already and was `once`. */
  | "action_used"
  /** `action:run` on a question that was answered, expired or cancelled. */
  | "ask_closed"
  /** `message:edit` / `message:regenerate` on a message that is no longer the latest of its kind. */
  | "not_latest"
  /** `thread:settings` (or a new thread's `settings`, `profile`) naming an unknown setting or profile, or a value of the wrong type. */
  | "invalid_setting"
  | "unavailable"
  | "insufficient_storage"
  | "internal";

/** Codes of a refused socket.io handshake, in `connect_error`'s `err.data.code`. */
export type HandshakeErrorCode = "csrf" | "unauthenticated" | "rate_limited" | "unavailable" | "internal";

/** Codes an OAuth login sends the browser back with: `/login?error=<code>`. */
export type OAuthErrorCode = "oauth_denied" | "oauth_state" | "oauth_failed" | "oauth_rejected";

/** Any code a Parlor server may send. */
export type WireErrorCode = HttpErrorCode | ChatErrorCode | HandshakeErrorCode | OAuthErrorCode;
