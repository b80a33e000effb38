import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar } from "./cookie-jar.js";
import { TestClock } from "./test-clock.js";

const APP = "http://127.0.0.1:8000";

describe("CookieJar", () => {
  it("keeps cookies per origin and sends them back", () => {
    const jar = new CookieJar(APP);
    jar.store(APP, ["session=abc; Path=/; HttpOnly; SameSite=Lax", "theme=dark"]);
    expect(jar.cookieHeader(`${APP}/api/threads`)).toBe("session=abc; theme=dark");
    expect(jar.cookieHeader("http://127.0.0.1:9000/")).toBe("");
  });

  it("drops a cookie at Max-Age and at Expires, on its own clock", () => {
    const clock = new TestClock(Date.parse("2030-01-01T00:00:00Z"));
    const jar = new CookieJar(APP, { now: clock.now });
    jar.store(APP, ["short=1; Max-Age=60", "dated=2; Expires=Tue, 01 Jan 2030 00:10:00 GMT", "plain=3"]);
    expect(jar.cookieHeader(APP)).toBe("short=1; dated=2; plain=3");
    clock.advance(61_000);
    expect(jar.cookieHeader(APP)).toBe("dated=2; plain=3");
    clock.advance(10 * 60_000);
    expect(jar.cookieHeader(APP)).toBe("plain=3");
  });

  it("deletes a cookie the server clears with Max-Age=0 or a past Expires", () => {
    const jar = new CookieJar(APP);
    jar.store(APP, ["a=1", "b=2"]);
    jar.store(APP, ["a=; Max-Age=0", "b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"]);
    expect(jar.cookies(APP).size).toBe(0);
  });

  it("applies the Secure and __Host- / __Secure- rules as a browser does", () => {
    const jar = new CookieJar("http://app.example");
    jar.store("http://app.example", ["plain=1", "secure=2; Secure", "__Secure-x=3; Secure"]);
    expect([...jar.cookies("http://app.example").keys()]).toEqual(["plain"]); // Secure needs https (or loopback)

    const https = "https://app.example";
    jar.store(https, [
      "__Host-ok=1; Secure; Path=/",
      "__Host-domain=2; Secure; Path=/; Domain=app.example",
      "__Host-path=3; Secure; Path=/api",
      "__Host-insecure=4; Path=/",
      "__Secure-ok=5; Secure",
      "__Secure-insecure=6",
    ]);
    expect([...jar.cookies(https).keys()]).toEqual(["__Host-ok", "__Secure-ok"]);

    jar.store("http://localhost:8000", ["__Host-local=1; Secure; Path=/"]); // loopback is a secure context
    expect(jar.cookieHeader("http://localhost:8000")).toBe("__Host-local=1");
  });

  it("adds Origin and the CSRF token to unsafe requests only, and tells the site from the page's origin", () => {
    const jar = new CookieJar(APP);
    jar.csrfToken = "token";
    expect(jar.headersFor(`${APP}/auth/me`, "GET")).toEqual({ "sec-fetch-site": "same-origin" });
    expect(jar.headersFor(`${APP}/auth/logout`, "POST")).toEqual({ "sec-fetch-site": "same-origin", origin: APP, "x-csrf-token": "token" });
    jar.pageOrigin = "http://127.0.0.1:9000";
    expect(jar.headersFor(`${APP}/auth/logout`, "DELETE")).toMatchObject({ "sec-fetch-site": "same-site", origin: "http://127.0.0.1:9000" });
    jar.pageOrigin = "https://evil.example";
    expect(jar.headersFor(`${APP}/auth/logout`, "POST")).toMatchObject({ "sec-fetch-site": "cross-site", origin: "https://evil.example" });
  });

  describe("fetch over HTTP", () => {
    let server: Server;
    let origin: string;
    const seen: Array<Record<string, string | string[] | undefined>> = [];
    beforeAll(async () => {
      server = createServer((request, response) => {
        seen.push(request.headers);
        response.setHeader("set-cookie", ["session=s1; Path=/; HttpOnly"]);
        response.end("ok");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("keeps what the answer sets and sends it with the next request, with the page's own CSRF header kept", async () => {
      const jar = new CookieJar(origin);
      jar.csrfToken = "from-login";
      await jar.fetch(`${origin}/first`);
      await jar.fetch(`${origin}/second`, { method: "POST", headers: { "x-csrf-token": "from-page" } });
      expect(seen[0]!.cookie).toBeUndefined();
      expect(seen[1]).toMatchObject({ cookie: "session=s1", origin, "x-csrf-token": "from-page", "sec-fetch-site": "same-origin" });
    });
  });
});
