import { createParlorClient, type ParlorClient, type ParlorClientOptions } from "@parlor/client";
import { registerCleanup } from "./cleanup.js";
import { CookieJar } from "./cookie-jar.js";
import type { TestServer } from "./test-server.js";

export interface BrowserClient {
  client: ParlorClient;
  jar: CookieJar;
  /** URLs the client navigated to (OAuth). */
  navigations: string[];
}

/**
 * A `@parlor/client` as a page on the server's origin would have it, closed when the test
 * ends; pass one `jar` to several calls for tabs of one browser.
 */
export function browser(t: TestServer, jar = new CookieJar(t.origin), options: Partial<ParlorClientOptions> = {}): BrowserClient {
  const navigations: string[] = [];
  const client = createParlorClient({
    baseUrl: t.origin,
    fetch: jar.fetch,
    socketOptions: jar.socketOptions(t.origin),
    navigate: (url) => navigations.push(url),
    currentPath: () => "/threads/42?tab=files",
    ...options,
  });
  registerCleanup(() => client.close());
  return { client, jar, navigations };
}
