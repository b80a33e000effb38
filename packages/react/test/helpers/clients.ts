import type { CookieJar, TestServer } from "@parlor/test-support";

// The client as a page would have it is the kit's; the React tests name it from here.
export { browser, type BrowserClient } from "@parlor/test-support";

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
