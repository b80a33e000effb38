import { createParlorClient, type ParlorClient, type ParlorClientOptions } from "@parlor/react";
import { CookieJar, registerCleanup, type TestServer } from "@parlor/test-support";

export interface TestBrowser {
  client: ParlorClient;
  jar: CookieJar;
  /** URLs the client navigated to (OAuth). */
  navigations: string[];
}

/**
 * A client as a page on the server's origin would have it, closed when the test ends; `jar`
 * shared = tabs of one browser.
 */
export function browser(t: TestServer, jar = new CookieJar(t.origin), options: Partial<ParlorClientOptions> = {}): TestBrowser {
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

/**
 * A jsdom page on the server's own origin holding the jar's cookie, for what only a browser
 * object can do (XMLHttpRequest uploads). Its requests are same-origin, as in a real page.
 */
export async function pageOn(t: TestServer, jar: CookieJar) {
  const { JSDOM, CookieJar: JsdomCookieJar } = await import("jsdom");
  const cookieJar = new JsdomCookieJar();
  for (const pair of jar.cookieHeader(t.origin).split("; ").filter(Boolean)) cookieJar.setCookieSync(`${pair}; Path=/; Secure; HttpOnly`, `${t.origin}/`);
  const page = new JSDOM("<!doctype html>", { url: `${t.origin}/`, cookieJar });
  return page.window as unknown as Window & typeof globalThis;
}
