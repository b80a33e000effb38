import { createParlorClient, type ParlorClient, type ParlorClientOptions } from "@parlor/react";
import { BrowserJar } from "./browser-jar.js";
import type { TestParlor } from "./parlor-server.js";

export interface TestBrowser {
  client: ParlorClient;
  jar: BrowserJar;
  /** URLs the client navigated to (OAuth). */
  navigations: string[];
}

const open: ParlorClient[] = [];

/** A client as a page on the server's origin would have it; `jar` shared = tabs of one browser. */
export function browser(t: TestParlor, jar = new BrowserJar(t.origin), options: Partial<ParlorClientOptions> = {}): TestBrowser {
  const navigations: string[] = [];
  const client = createParlorClient({
    baseUrl: t.origin,
    fetch: jar.fetch,
    socketOptions: jar.socketOptions,
    navigate: (url) => navigations.push(url),
    currentPath: () => "/threads/42?tab=files",
    ...options,
  });
  open.push(client);
  return { client, jar, navigations };
}

/** Closes every client made by `browser()`; call in afterEach. */
export function closeBrowsers(): void {
  for (const client of open.splice(0)) client.close();
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A gate the test opens to let a slow app go on. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/**
 * A jsdom page on the server's own origin holding the jar's cookie, for what only a browser
 * object can do (XMLHttpRequest uploads). Its requests are same-origin, as in a real page.
 */
export async function pageOn(t: TestParlor, jar: BrowserJar) {
  const { JSDOM, CookieJar } = await import("jsdom");
  const cookieJar = new CookieJar();
  for (const pair of jar.cookieHeader.split("; ").filter(Boolean)) cookieJar.setCookieSync(`${pair}; Path=/; Secure; HttpOnly`, `${t.origin}/`);
  const page = new JSDOM("<!doctype html>", { url: `${t.origin}/`, cookieJar });
  return page.window as unknown as Window & typeof globalThis;
}
