import { EMBED_MAX_TOKEN_LENGTH, type EmbedError, type EmbedTokenErrorCode } from "@parlor/protocol";

export type TokenOutcome = { ok: true; token: string } | { ok: false; error: EmbedError<EmbedTokenErrorCode> };

/** A `getToken()` that never settles would leave the chat waiting forever; this bounds it. */
export const GET_TOKEN_TIMEOUT_MS = 15_000;

const TIMED_OUT = Symbol("timed out");

/**
 * Calls the host's `getToken()` once and checks what it returns. The token is only passed
 * through: it is never stored, logged or put in an error message.
 */
export async function fetchHostToken(getToken: () => string | Promise<string>, timeoutMs = GET_TOKEN_TIMEOUT_MS): Promise<TokenOutcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  let value: unknown;
  try {
    // Called inside the try: a getToken that throws synchronously is a failure like a rejection.
    value = await Promise.race([Promise.resolve().then(getToken), timeout]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { code: "token_failed", message: `getToken() failed: ${reason.slice(0, 300)}` } };
  } finally {
    clearTimeout(timer);
  }
  if (value === TIMED_OUT) return { ok: false, error: { code: "token_failed", message: `getToken() did not settle within ${timeoutMs} ms` } };
  // `fetch(...).then((r) => r.text())` often ends with a newline.
  const token = typeof value === "string" ? value.trim() : "";
  if (token === "" || token.length > EMBED_MAX_TOKEN_LENGTH || /\s/.test(token)) {
    return {
      ok: false,
      error: { code: "invalid_token", message: `getToken() must return a non-empty string without spaces, at most ${EMBED_MAX_TOKEN_LENGTH} characters` },
    };
  }
  return { ok: true, token };
}
