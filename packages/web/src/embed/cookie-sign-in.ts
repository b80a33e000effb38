/**
 * The iframe's sign-in in partitioned cookie mode (`embeds.<id>.cookie: "partitioned"`, see
 * docs/embed.md, section 7). The session is a `Partitioned` HttpOnly cookie, kept by the
 * browser per top-level site: this code never sees it. It asks the server whether the cookie
 * still holds a session (`GET /auth/me`); only without one does it ask the host page for a
 * host token and exchange it (`POST /auth/token`), which sets the cookie. After that the chat
 * runs in @parlor/client's cookie mode, and a reload of the host page signs in from the
 * cookie, without a new host token.
 */
import { ParlorApiError } from "@parlor/react";

/** The server marks the embed page of a partitioned embedding with this `<meta>` (packages/server/src/server/embed-page.ts). */
export const COOKIE_MODE_META = "parlor-embed-cookie";

/** `"partitioned"` when the server said so in the page, `"none"` otherwise. */
export function embedCookieMode(document: Pick<Document, "querySelector">): "none" | "partitioned" {
  const meta = document.querySelector<HTMLMetaElement>(`meta[name="${COOKIE_MODE_META}"]`);
  return meta?.content === "partitioned" ? "partitioned" : "none";
}

/**
 * Makes sure the partitioned cookie holds a session. Resolves `true` when it does, `false`
 * when the browser did not keep the cookie (no CHIPS support with third-party cookies
 * blocked: Safari today); then the session just opened is ended with its access token and
 * the caller falls back to bearer mode. Rejects with a `ParlorApiError` (`invalid_token`,
 * `token_failed`, `network_error`…) when no session can be had. Tokens pass through in
 * memory only.
 */
export async function signInWithPartitionedCookie(baseUrl: string, requestHostToken: () => Promise<string>, fetchImpl: typeof fetch = fetch): Promise<boolean> {
  const me = await send(fetchImpl, `${baseUrl}/auth/me`, { method: "GET" });
  if (me.ok) return true;
  if (me.status !== 401) throw await failure(me);

  let token: string;
  try {
    token = (await requestHostToken()).trim();
  } catch (error) {
    throw new ParlorApiError("token_failed", "The host page gave no token", { cause: error });
  }
  const exchanged = await send(fetchImpl, `${baseUrl}/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });
  if (!exchanged.ok) throw await failure(exchanged);
  if ((await send(fetchImpl, `${baseUrl}/auth/me`, { method: "GET" })).ok) return true;

  // The cookie was dropped. Its session would stay unusable until it expires: end it now.
  const { accessToken } = (await exchanged.json()) as { accessToken?: unknown };
  if (typeof accessToken === "string") {
    await send(fetchImpl, `${baseUrl}/auth/logout`, { method: "POST", headers: { authorization: `Bearer ${accessToken}` } }).catch(() => undefined);
  }
  return false;
}

/** Same-origin requests: the browser sends and keeps the partitioned cookie by itself. */
async function send(fetchImpl: typeof fetch, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetchImpl(url, { ...init, credentials: "same-origin", cache: "no-store" });
  } catch (error) {
    throw new ParlorApiError("network_error", "The chat server cannot be reached", { cause: error });
  }
}

/** The server's `{ error: { code, message } }`, as a `ParlorApiError`. */
async function failure(response: Response): Promise<ParlorApiError> {
  let code = "invalid_response";
  let message = `The server answered ${response.status}`;
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === "string") code = body.error.code;
    if (typeof body.error?.message === "string") message = body.error.message;
  } catch {
    // Not the documented JSON shape: the status says enough.
  }
  return new ParlorApiError(code, message, { status: response.status });
}
