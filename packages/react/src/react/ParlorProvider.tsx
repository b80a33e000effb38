import { useEffect, useState, type ReactNode } from "react";
import { createParlorClient, type ParlorClient, type ParlorClientOptions } from "@parlor/client";
import { ParlorContext } from "./parlor-context.js";

export interface ParlorProviderProps {
  /**
   * The Parlor server: `""` (default) for the page's own origin, a path prefix, or an
   * absolute URL. Read once, when the provider mounts.
   */
  url?: string;
  /**
   * How the client authenticates, as in `createParlorClient`: the session cookie (default,
   * for the server's own site) or `{ mode: "bearer", getHostToken }` for a frontend on
   * another site, where the cookie cannot work (docs/separate-frontends.md). Read once, when
   * the provider mounts.
   */
  auth?: ParlorClientOptions["auth"];
  /** A client made with `createParlorClient` (tests, custom `fetch`); `url` and `auth` are ignored then. */
  client?: ParlorClient;
  children?: ReactNode;
}

/**
 * Gives the hooks below it one Parlor client: one session, one socket. It checks the
 * session on mount (`GET /auth/me`) and closes the socket on unmount. A client passed in
 * is started but not closed: whoever made it owns it.
 *
 * @example
 * <ParlorProvider>
 *   <App />
 * </ParlorProvider>
 * // A frontend on another site: bearer mode through an embedding.
 * <ParlorProvider url="https://chat.example.com" auth={{ mode: "bearer", getHostToken: () => fetch("/parlor-token").then((r) => r.text()) }}>
 *   <App />
 * </ParlorProvider>
 */
export function ParlorProvider({ url = "", auth, client, children }: ParlorProviderProps) {
  const [owned] = useState(() => (client ? null : createParlorClient({ baseUrl: url, ...(auth ? { auth } : {}) })));
  const value = client ?? owned!;
  useEffect(() => {
    void value.start();
    return owned === null ? undefined : () => owned.close();
  }, [value, owned]);
  return <ParlorContext.Provider value={value}>{children}</ParlorContext.Provider>;
}
