import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { registerCleanup } from "./cleanup.js";
import { CookieJar } from "./cookie-jar.js";
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from "jose";

/**
 * A real, certified OpenID provider (`oidc-provider`) on a loopback port, for tests: the
 * authorization code flow with PKCE required, its development login page (any login name,
 * any password; the login name becomes `sub`), consent granted automatically, and a hook
 * that lets a test rewrite the ID tokens the token endpoint hands out, as a broken or
 * malicious provider would.
 */
export interface TestOidcProvider {
  /** `http://127.0.0.1:<port>`. */
  issuer: string;
  /** The key the provider signs ID tokens with. */
  signingKey: SigningKey;
  /** How many requests reached the token endpoint. */
  readonly tokenRequests: number;
  /**
   * From now on, replace the `id_token` of every token response by the result of `rewrite`
   * (signed with the provider's key unless it names another); `null` stops.
   */
  rewriteIdTokens(rewrite: ((claims: JWTPayload) => { claims: JWTPayload; signWith?: SigningKey }) | null): void;
  /** Stops the provider; also runs by itself when the test (or, from a `beforeAll`, the file) ends. */
  close(): Promise<void>;
}

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

export interface TestClientRegistration {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export async function startOidcProvider(options: { clients: TestClientRegistration[] }): Promise<TestOidcProvider> {
  const Provider = await quietly(async () => (await import("oidc-provider")).default);
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = `test-${randomBytes(4).toString("hex")}`;
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: "RS256", use: "sig" };
  const signingKey: SigningKey = { kid, privateKey };

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = quietly(
    () =>
      new Provider(issuer, {
        clients: options.clients.map((c) => ({
          client_id: c.clientId,
          client_secret: c.clientSecret,
          redirect_uris: c.redirectUris,
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
        })),
        pkce: { required: () => true },
        cookies: { keys: [randomBytes(32).toString("base64url")] },
        jwks: { keys: [jwk] },
        claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "preferred_username"] },
        findAccount: async (_ctx: unknown, sub: string) => ({
          accountId: sub,
          claims: async () => ({
            sub,
            name: `Test ${sub}`,
            preferred_username: sub,
            email: `${sub}@example.test`,
            email_verified: true,
          }),
        }),
        // First-party test client: consent is implied, so the only interaction is the login page.
        loadExistingGrant: async (ctx: any) => {
          const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
          if (grantId) return ctx.oidc.provider.Grant.find(grantId);
          const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
          grant.addOIDCScope("openid email profile offline_access");
          await grant.save();
          return grant;
        },
        features: { devInteractions: { enabled: true } },
        ttl: {
          AccessToken: 3600,
          AuthorizationCode: 60,
          IdToken: 3600,
          Grant: 3600,
          Interaction: 600,
          Session: 3600,
          RefreshToken: 3600,
        },
      }),
  );
  const handle = provider.callback();

  let tokenRequests = 0;
  let rewrite: Parameters<TestOidcProvider["rewriteIdTokens"]>[0] = null;
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === "POST" && req.url?.split("?")[0] === "/token") {
      tokenRequests++;
      if (rewrite) rewriteJsonResponse(res, rewrite, signingKey);
    }
    void handle(req, res);
  });

  let closed: Promise<void> | null = null;
  const self: TestOidcProvider = {
    issuer,
    signingKey,
    get tokenRequests() {
      return tokenRequests;
    },
    rewriteIdTokens(next) {
      rewrite = next;
    },
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
  registerCleanup(() => self.close());
  return self;
}

/** Rewrites `id_token` in the JSON body the provider is about to send. */
function rewriteJsonResponse(res: ServerResponse, rewrite: NonNullable<Parameters<TestOidcProvider["rewriteIdTokens"]>[0]>, defaultKey: SigningKey): void {
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  res.end = ((chunk?: unknown) => {
    void (async () => {
      const text = Buffer.isBuffer(chunk) ? chunk.toString("utf8") : typeof chunk === "string" ? chunk : "";
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text);
      } catch {
        return end(chunk);
      }
      if (typeof body.id_token === "string") {
        const { claims, signWith = defaultKey } = rewrite(decodeJwt(body.id_token));
        body.id_token = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: signWith.kid }).sign(signWith.privateKey);
      }
      const out = JSON.stringify(body);
      res.setHeader("content-length", Buffer.byteLength(out));
      end(out);
    })();
    return res;
  }) as typeof res.end;
}

/** oidc-provider announces its development defaults on the console; tests do not need to hear it. */
function quietly<T>(fn: () => T): T {
  const { warn, info } = console;
  console.warn = () => {};
  console.info = () => {};
  try {
    const result = fn();
    if (result instanceof Promise) {
      return result.finally(() => Object.assign(console, { warn, info })) as T;
    }
    Object.assign(console, { warn, info });
    return result;
  } catch (error) {
    Object.assign(console, { warn, info });
    throw error;
  }
}

/** One response as a browser would see it before following it. */
export interface Hop {
  url: string;
  status: number;
  headers: Headers;
  location: string | null;
  setCookies: string[];
  body: string;
}

/**
 * A minimal browser for top-level navigations: the kit's `CookieJar` (per origin), manual
 * redirects, forms posted urlencoded. Enough to drive an OAuth flow across two servers over
 * real HTTP.
 */
export class TestBrowser {
  readonly jar = new CookieJar("about:blank");

  /** The live cookies of `origin` (name → value), for tests that replay or plant them. */
  cookies(origin: string): Map<string, string> {
    return this.jar.cookies(origin);
  }

  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Hop> {
    const target = new URL(url);
    const headers: Record<string, string> = { ...init.headers };
    const cookie = this.jar.cookieHeader(target);
    if (cookie !== "") headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(target, { method: init.method ?? "GET", headers, body, redirect: "manual" });
    const setCookies = response.headers.getSetCookie();
    this.jar.store(target, setCookies);
    const location = response.headers.get("location");
    return {
      url: target.href,
      status: response.status,
      headers: response.headers,
      location: location === null ? null : new URL(location, target).href,
      setCookies,
      body: await response.text(),
    };
  }

  /**
   * Starts an OAuth login at Parlor and goes through the provider's login page as `login`,
   * stopping at the redirect back to Parlor's callback: returns that callback URL (not yet
   * visited) and the hops so far.
   */
  async loginAtProvider(startUrl: string, login = "alice"): Promise<{ callbackUrl: string; authorizeUrl: string; hops: Hop[] }> {
    const hops: Hop[] = [];
    const start = await this.request(startUrl);
    hops.push(start);
    if (start.status !== 302 || !start.location) throw new Error(`start answered ${start.status} ${start.location}`);
    const authorizeUrl = start.location;
    const parlorOrigin = new URL(startUrl).origin;
    let next: string | null = authorizeUrl;
    for (let i = 0; i < 10 && next; i++) {
      if (new URL(next).origin === parlorOrigin) return { callbackUrl: next, authorizeUrl, hops };
      let hop = await this.request(next);
      hops.push(hop);
      if (hop.status === 200 && hop.body.includes('name="prompt" value="login"')) {
        hop = await this.request(next, { method: "POST", form: { prompt: "login", login, password: "any password" } });
        hops.push(hop);
      }
      next = hop.location;
    }
    throw new Error(`the provider did not send the browser back: ${JSON.stringify(hops.at(-1))}`);
  }
}
