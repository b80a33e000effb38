import { useEffect, useState, type ReactNode } from "react";
import { createParlorClient, type ParlorClient } from "@parlor/client";
import { ParlorContext } from "./parlor-context.js";

export interface ParlorProviderProps {
  /**
   * The Parlor server: `""` (default) for the page's own origin, a path prefix, or an
   * absolute URL. Read once, when the provider mounts.
   */
  url?: string;
  /** A client made with `createParlorClient` (tests, custom `fetch`); `url` is ignored then. */
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
 */
export function ParlorProvider({ url = "", client, children }: ParlorProviderProps) {
  const [owned] = useState(() => (client ? null : createParlorClient({ baseUrl: url })));
  const value = client ?? owned!;
  useEffect(() => {
    void value.start();
    return owned === null ? undefined : () => owned.close();
  }, [value, owned]);
  return <ParlorContext.Provider value={value}>{children}</ParlorContext.Provider>;
}
