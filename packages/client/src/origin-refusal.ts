import { errorFromResponse, ParlorApiError } from "./api-error.js";

/**
 * Explains a request that got no answer. A browser hides why a cross-origin request failed:
 * a server that is down and a server that refuses this page's origin (CORS) both give a bare
 * `TypeError`. When the server is on another origin, this asks `GET /auth/cors-check`, which
 * any origin may read (no credentials): if the page's origin is not in the server's
 * `allowedOrigins`, the error is `origin_not_allowed` with the server's message naming the
 * origin and the setting; otherwise it stays `network_error`.
 */
export async function explainNetworkFailure(baseUrl: string, fetchImpl: typeof fetch, cause: unknown, signal?: AbortSignal | null): Promise<ParlorApiError> {
  if (signal?.aborted) return new ParlorApiError("aborted", "The request was aborted", { cause });
  const networkError = new ParlorApiError("network_error", "Could not reach the server", { cause });
  if (!isCrossOrigin(baseUrl)) return networkError;
  try {
    const response = await fetchImpl(`${baseUrl}/auth/cors-check`, {
      credentials: "omit",
      headers: { Accept: "application/json" },
      ...(signal ? { signal } : {}),
    });
    if (response.status !== 403) return networkError;
    const refusal = errorFromResponse(response.status, await response.text(), null);
    if (refusal.code !== "origin_not_allowed") return networkError;
    return new ParlorApiError(refusal.code, refusal.message, { status: 0, cause });
  } catch {
    return networkError; // the server is unreachable indeed
  }
}

/** Is `baseUrl` on another origin than the page? Outside a browser (no `location`) nothing is. */
function isCrossOrigin(baseUrl: string): boolean {
  const pageOrigin = (globalThis as { location?: { origin?: unknown } }).location?.origin;
  if (typeof pageOrigin !== "string" || pageOrigin === "null" || !/^https?:\/\//i.test(baseUrl)) return false;
  try {
    return new URL(baseUrl).origin !== pageOrigin;
  } catch {
    return false;
  }
}
