import { ParlorApiError } from "@parlor/react";
import { formatWait } from "./format";

/**
 * A sentence for a failure, chosen by its stable `code` (never by the server's text, except
 * where the server's text is the detail: validation messages).
 *
 * @example
 * describeError(new ParlorApiError("invalid_credentials", "…")) // → "Wrong username or password."
 */
export function describeError(error: unknown): string {
  if (!(error instanceof ParlorApiError)) return "Something went wrong. Please try again.";
  switch (error.code) {
    case "invalid_credentials":
      return "Wrong username or password.";
    case "rate_limited":
      return error.retryAfter !== null
        ? `Too many attempts. Please wait ${formatWait(error.retryAfter)} before trying again.`
        : error.message || "Too many attempts. Please wait a moment before trying again.";
    case "network_error":
      return "Can't reach the server. Check your connection and try again.";
    case "timeout":
      return "The server took too long to answer. Please try again.";
    case "csrf":
      return "The request was refused because it did not come from this page. Reload the page and try again.";
    case "forbidden":
      return "You are not allowed to do that.";
    case "unauthenticated":
      return "Your session has ended. Please sign in again.";
    case "not_found":
      return "Not found. It may have been deleted.";
    case "payload_too_large":
      return "That file is too large.";
    case "unsupported_media_type":
      return "That type of file is not accepted.";
    case "message_too_large":
      return "That message is too long.";
    case "unavailable":
      return "The server is restarting. Please send again in a moment.";
    case "insufficient_storage":
      return "The server is out of storage space. Deleting old chats or files frees some.";
    case "request_timeout":
      return "The upload was too slow and was cut off. Please try again.";
    case "busy":
      return "Still answering the previous message. Wait for it to finish or stop it.";
    case "not_latest":
      return "Only your latest message can be edited, and only the latest reply regenerated.";
    case "invalid_setting":
      return error.message ? `That setting was not saved: ${error.message}` : "That setting was not saved.";
    case "feedback_not_allowed":
      return "Only the assistant's replies can be rated.";
    case "app_error":
      return error.message || "The assistant failed to answer.";
    case "oauth_denied":
      return "Sign-in was cancelled at the provider.";
    case "oauth_state":
      return "That sign-in expired or was started in another browser. Please try again.";
    case "oauth_rejected":
      return "This account is not allowed to sign in here.";
    case "oauth_failed":
      return "Sign-in with the provider failed. Please try again.";
    case "invalid_request":
      return error.message ? `Invalid request: ${error.message}` : "Invalid request.";
    default:
      return error.status >= 500 || error.code === "internal" ? "The server had a problem. Please try again." : "Something went wrong. Please try again.";
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
