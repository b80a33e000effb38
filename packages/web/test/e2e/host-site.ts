/**
 * A site that embeds the chat, as small as such a site can be: a node:http server on
 * `http://127.0.0.1:<port>` (cross-site to the app at `http://localhost:<port>`, or at
 * `http://localhost:<port>/chat/` under a path prefix) with
 * - `/login?user=<name>&next=<path>`: its own first-party login, a `shop_user` cookie (the host's
 *   session), then to `next`;
 * - `/`: a shop page under a strict CSP that loads the app's `widget.js` (from the app's base
 *   URL: `/chat/widget.js` under a prefix) and `/host.js`;
 * - `/host.js`: registers a `cart.add` function and calls `Parlor.mount` (options from the
 *   page's query: `open`, `theme`, `lang`, `kind`, `server`);
 * - `/parlor-token`: mints a host token for its logged-in user with jose, as the docs show
 *   (`aud` is the app's public origin, without its path prefix).
 *   `?kind=` makes the bad ones the tests need: `aud`, `expired`, `long`, `secret`, `none`,
 *   `replay` (the last good token again).
 * Every token it hands out is recorded, so a test can look for them where they must not be.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mintHostToken, registerCleanup, type MintOptions } from "@parlor/test-support";

export type TokenKind = "good" | "aud" | "expired" | "long" | "secret" | "none" | "replay";

export interface IssuedToken {
  kind: TokenKind;
  user: string;
  token: string;
}

export interface HostSite {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  issued: IssuedToken[];
  /** Extra origins the page may frame (`frame-src`), e.g. an ad from the attacker's server. */
  allowFrames(origin: string): void;
}

export interface HostSiteOptions {
  /**
   * The app's public URL, known once it has started (after this site): its origin
   * (`http://localhost:<port>`), or its base URL with a path prefix (`http://localhost:<port>/chat/`).
   */
  parlorUrl: () => string;
  /** The app's clock in ms, so tokens are fresh for the server even after the test moves it. */
  now: () => number;
}

const HOST_SCRIPT = `
const query = new URLSearchParams(location.search);
window.hostCalls = [];
Parlor.registerFunction("cart.add", async (args) => {
  window.hostCalls.push(args);
  return { sku: args.sku, total: args.qty * 10 };
});
Parlor.mount({
  embed: "shop",
  // The host's own backend mints the token for its logged-in user (its cookie goes along).
  getToken: () =>
    fetch("/parlor-token?kind=" + encodeURIComponent(query.get("kind") || "good"), { cache: "no-store" }).then((response) =>
      response.ok ? response.text() : Promise.reject(new Error("no token: " + response.status)),
    ),
  open: query.has("open"),
  theme: query.get("theme") || undefined,
  language: query.get("lang") || undefined,
  // By default the loader finds the server in its own script's folder.
  server: query.get("server") || undefined,
});
`;

export async function startHostSite({ parlorUrl, now }: HostSiteOptions): Promise<HostSite> {
  /** `http://localhost:<port>/chat/`, or `http://localhost:<port>/` at the root: always with its slash. */
  const parlorBase = () => new URL(parlorUrl()).href.replace(/\/*$/, "/");
  /** What host tokens name as `aud`: Parlor's public origin, never its path. */
  const parlorOrigin = () => new URL(parlorUrl()).origin;
  const issued: IssuedToken[] = [];
  const frames: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { "content-type": "text/plain" }).end(String(error));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://host.invalid");
    const user = /(?:^|;\s*)shop_user=([\w-]+)/.exec(request.headers.cookie ?? "")?.[1] ?? null;
    if (url.pathname === "/login") {
      const name = url.searchParams.get("user") ?? "";
      const next = url.searchParams.get("next") ?? "/";
      const location = next.startsWith("/") && !next.startsWith("//") ? next : "/";
      response.writeHead(302, { location, "set-cookie": `shop_user=${name}; Path=/; SameSite=Lax` }).end();
      return;
    }
    if (url.pathname === "/host.js") {
      response.writeHead(200, { "content-type": "text/javascript", "cache-control": "no-store" }).end(HOST_SCRIPT);
      return;
    }
    if (url.pathname === "/parlor-token") {
      if (user === null) {
        response.writeHead(401, { "content-type": "text/plain" }).end("not logged in");
        return;
      }
      const kind = (url.searchParams.get("kind") ?? "good") as TokenKind;
      const token = await mint(kind, user);
      issued.push({ kind, user, token });
      response.writeHead(200, { "content-type": "text/plain", "cache-control": "no-store" }).end(`${token}\n`);
      return;
    }
    if (url.pathname === "/") {
      const parlor = parlorBase();
      // A careful shop's CSP: the widget must work without inline script or style. Its sources
      // name the app's base URL, path included: under a prefix, only `/chat/…` may load or frame.
      const csp = [
        "default-src 'self'",
        `script-src 'self' ${parlor}`,
        "style-src 'self'",
        `frame-src ${[parlor, ...frames].join(" ")}`,
        "connect-src 'self'",
      ].join("; ");
      const ad = url.searchParams.get("ad");
      const adFrame = ad !== null && frames.some((origin) => ad.startsWith(`${origin}/`)) ? `<iframe id="ad" title="Ad" src="${ad}"></iframe>` : "";
      response
        .writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-security-policy": csp })
        .end(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>` +
            `<body><h1>Shop</h1><p id="who">${user ?? "guest"}</p>${adFrame}` +
            `<script src="${parlor}widget.js"></script><script src="/host.js"></script></body></html>`,
        );
      return;
    }
    response.writeHead(404, { "content-type": "text/plain" }).end("not found");
  }

  async function mint(kind: TokenKind, user: string): Promise<string> {
    const iat = Math.floor(now() / 1000);
    const base: MintOptions = { audience: parlorOrigin(), iat, lifetime: 60, claims: { name: user } };
    switch (kind) {
      case "good":
        return mintHostToken(user, base);
      case "aud":
        return mintHostToken(user, { ...base, audience: "https://elsewhere.example" });
      case "expired":
        return mintHostToken(user, { ...base, iat: iat - 400, lifetime: 120 });
      case "long":
        return mintHostToken(user, { ...base, lifetime: 3600 });
      case "secret":
        return mintHostToken(user, { ...base, secret: "another-secret-0123456789-abcdefghijklmn" });
      case "none":
        return mintHostToken(user, { ...base, alg: "none" });
      case "replay": {
        const last = issued.findLast((entry) => entry.kind === "good" && entry.user === user);
        if (last === undefined) throw new Error(`replay: no good token was issued to ${user} yet`);
        return last.token;
      }
    }
  }

  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  registerCleanup(
    () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, issued, allowFrames: (origin) => void frames.push(origin) };
}
