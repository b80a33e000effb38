import { ParlorApiError } from "@parlor/react";
import { translator, type MessageKey, type Translate } from "../i18n";
import { formatBytes, formatWait } from "./format";

/** What some texts can say besides the error itself. */
export interface ErrorContext {
  /** The server's upload limit (`/auth/config`): a too-large file's text names it. */
  maxUploadBytes?: number;
}

/** Codes whose text is one catalog string, `error.<code>`: listed, so the compiler checks each key exists. */
const SIMPLE: ReadonlyMap<string, MessageKey> = new Map(
  (
    [
      "invalid_credentials",
      "network_error",
      "timeout",
      "csrf",
      "forbidden",
      "unauthenticated",
      "not_found",
      "unsupported_media_type",
      "message_too_large",
      "unavailable",
      "insufficient_storage",
      "request_timeout",
      "busy",
      "not_latest",
      "feedback_not_allowed",
      "unknown_action",
      "action_used",
      "ask_closed",
      "oauth_denied",
      "oauth_state",
      "oauth_rejected",
      "oauth_failed",
    ] as const
  ).map((code) => [code, `error.${code}` satisfies MessageKey]),
);

/**
 * A sentence for a failure, in the UI's language, chosen by its stable `code` (never by the
 * server's text, except where the server's text is the detail: validation messages, an app's
 * own error).
 *
 * @example
 * describeError(new ParlorApiError("invalid_credentials", "…"), t) // → "Wrong username or password."
 */
export function describeError(error: unknown, t: Translate = translator("en"), context: ErrorContext = {}): string {
  if (!(error instanceof ParlorApiError)) return t("error.generic");
  const { locale } = t;
  const simple = SIMPLE.get(error.code);
  if (simple !== undefined) return t(simple);
  switch (error.code) {
    case "rate_limited":
      return error.retryAfter !== null
        ? t("error.rate_limited", { wait: formatWait(error.retryAfter, locale) })
        : error.message || t("error.rate_limited_unknown");
    case "payload_too_large":
      return context.maxUploadBytes ? t("error.payload_too_large_limit", { size: formatBytes(context.maxUploadBytes, locale) }) : t("error.payload_too_large");
    case "invalid_setting":
      return error.message ? t("error.invalid_setting_detail", { detail: error.message }) : t("error.invalid_setting");
    case "app_error":
      return error.message || t("error.app_error");
    case "invalid_request":
      return error.message ? t("error.invalid_request_detail", { detail: error.message }) : t("error.invalid_request");
    default:
      return error.status >= 500 || error.code === "internal" ? t("error.server") : t("error.generic");
  }
}

/**
 * The error an OAuth callback sends back with (`/login?error=oauth_…`), taken off the URL so
 * a reload does not show it again; `null` when there is none.
 */
export function takeOAuthErrorFromUrl(): ParlorApiError | null {
  const url = new URL(window.location.href);
  const code = url.searchParams.get("error");
  if (code === null || !/^oauth_[a-z]+$/.test(code)) return null;
  url.searchParams.delete("error");
  window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  return new ParlorApiError(code, "");
}

/** The stable `code` of a Parlor failure; `undefined` for anything else. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof ParlorApiError ? error.code : undefined;
}
