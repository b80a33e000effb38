/** The pages of the app. `chat` without `threadId` is a new chat. */
export type Route = { name: "login" } | { name: "chat"; threadId: string | undefined } | { name: "sessions" } | { name: "not-found" };

/**
 * Reads a path into a route.
 *
 * @example
 * matchRoute("/chat/01J…") // → { name: "chat", threadId: "01J…" }
 */
export function matchRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  if (path === "/") return { name: "chat", threadId: undefined };
  if (path === "/login") return { name: "login" };
  if (path === "/sessions") return { name: "sessions" };
  const chat = /^\/chat\/([^/]+)$/.exec(path);
  if (chat) {
    try {
      return { name: "chat", threadId: decodeURIComponent(chat[1]!) };
    } catch {
      return { name: "not-found" };
    }
  }
  return { name: "not-found" };
}

/** The path of a thread's page. */
export function chatPath(threadId: string): string {
  return `/chat/${encodeURIComponent(threadId)}`;
}
