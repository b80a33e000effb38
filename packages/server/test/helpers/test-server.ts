import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, defineApp, type AppDefinition, type ParlorServer, type ServerOptions } from "parlor";
import { dialects, type TestDatabase, type TestDialect } from "./databases.js";

export const TEST_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
export const TEST_PASSWORD = "correct horse battery staple";

/**
 * An app whose password login accepts any username with TEST_PASSWORD, and which answers
 * every message by streaming it back word by word.
 */
export function testApp(overrides: Partial<AppDefinition> = {}) {
  return defineApp({
    name: "Test App",
    auth: {
      password: ({ username, password }) => (password === TEST_PASSWORD ? { identifier: username, displayName: `User ${username}` } : null),
    },
    async onMessage(message, chat) {
      const reply = chat.reply();
      for (const word of message.content.split(" ")) await reply.stream(`${word} `);
      await reply.end();
    },
    ...overrides,
  });
}

/** A controllable clock: tests move time instead of waiting. */
export class TestClock {
  constructor(public now = Date.now()) {}
  advance(seconds: number) {
    this.now += seconds * 1000;
  }
  readonly read = () => this.now;
}

export interface StartOptions {
  app?: ReturnType<typeof defineApp>;
  server?: ServerOptions;
  env?: Record<string, string>;
  clock?: TestClock;
  dialect?: TestDialect;
  /** An existing database to start on, instead of a fresh one of `dialect`; disposed by `stop()`. */
  database?: TestDatabase;
  /** Port to listen on (default: any free one). For tests that must know it before start-up. */
  port?: number;
  /** Receives the server's logs (set `server.logLevel` too: tests default to silent). */
  logStream?: { write(line: string): void };
}

/** A free loopback port, so a server's public URL can name the port it will listen on. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface TestServer {
  server: ParlorServer;
  /** `http://127.0.0.1:<port>`: the app's own origin. */
  origin: string;
  clock: TestClock;
  /** A browser-like client of this server (cookie jar, same-origin headers). */
  client(): TestClient;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
  /** The server's data folder (uploaded files live under `files/`). */
  dataDir: string;
  /** Restarts on the same database, data dir and port. */
  restart(changes?: Pick<StartOptions, "server">): Promise<TestServer>;
}

/**
 * Starts a real Parlor server on a loopback port, on a fresh database of the given dialect
 * (SQLite by default), with logging off and login rate limits raised unless the test sets them.
 */
export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const database = options.database ?? (await (options.dialect ?? dialects[0]!).create());
  const dataDir = mkdtempSync(join(tmpdir(), "parlor-data-"));
  const clock = options.clock ?? new TestClock();
  let serverOptions = options.server ?? {};
  // Known before start-up, so the public URL is the address clients really use (the Host
  // check refuses any other), and the same after a restart (the cookie name derives from it).
  const port = options.port ?? (await freePort());
  const origin = `http://127.0.0.1:${port}`;

  const boot = async (): Promise<TestServer> => {
    // A test that moves the public URL elsewhere still talks to 127.0.0.1:<port>.
    const reachable = serverOptions.publicUrl === undefined || serverOptions.allowedHosts !== undefined ? {} : { allowedHosts: [`127.0.0.1:${port}`] };
    const server = await createServer(options.app ?? testApp(), {
      env: { PARLOR_DATABASE_URL: database.url, ...options.env },
      clock: clock.read,
      ...(options.logStream ? { logStream: options.logStream } : {}),
      server: {
        host: "127.0.0.1",
        port: 0,
        dataDir,
        authSecret: TEST_SECRET,
        logLevel: "silent",
        publicUrl: origin,
        ...reachable,
        ...serverOptions,
        loginRateLimit: { max: 10_000, ...serverOptions.loginRateLimit },
      },
    });
    await server.fastify.listen({ host: "127.0.0.1", port });
    const self: TestServer = {
      server,
      origin,
      clock,
      dataDir,
      client: () => new TestClient(origin, server.config.cookie.name),
      stop: async () => {
        await server.close();
        await database.dispose();
        rmSync(dataDir, { recursive: true, force: true });
      },
      restart: async (changes = {}) => {
        await server.close();
        serverOptions = { ...serverOptions, ...changes.server };
        return boot();
      },
    };
    return self;
  };
  return boot();
}

export interface Response<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when it is not JSON. */
  body: T;
  /** The raw bytes. */
  bytes: Buffer;
}

/**
 * Talks to the server over real HTTP like a same-origin page would: keeps the session
 * cookie, sends `Sec-Fetch-Site: same-origin` and `Origin`, and the CSRF token it was given.
 */
export class TestClient {
  /** Raw session cookie value; tests may read and replay it as an attacker would. */
  sessionCookie: string | null = null;
  csrfToken: string | null = null;

  constructor(
    readonly origin: string,
    readonly cookieName: string,
  ) {}

  async login(username = "alice", password = TEST_PASSWORD): Promise<Response> {
    const response = await this.request("POST", "/auth/login", { json: { username, password } });
    if (response.status === 200) this.csrfToken = response.body.csrfToken;
    return response;
  }

  get(path: string, init: RequestOptions = {}) {
    return this.request("GET", path, init);
  }
  post(path: string, init: RequestOptions = {}) {
    return this.request("POST", path, init);
  }
  delete(path: string, init: RequestOptions = {}) {
    return this.request("DELETE", path, init);
  }

  async request(method: string, path: string, init: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = {
      "sec-fetch-site": "same-origin",
      origin: this.origin,
      ...(this.sessionCookie ? { cookie: `${this.cookieName}=${this.sessionCookie}` } : {}),
      ...(this.csrfToken ? { "x-csrf-token": this.csrfToken } : {}),
    };
    let body: string | FormData | undefined;
    if (init.form !== undefined) {
      body = init.form;
    } else if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.json);
    } else if (init.body !== undefined) {
      body = init.body;
    }
    for (const [name, value] of Object.entries(init.headers ?? {})) {
      if (value === undefined) delete headers[name];
      else headers[name] = value;
    }
    const response = await fetch(this.origin + path, { method, headers, body, redirect: "manual" });
    this.absorbCookies(response.headers);
    const raw = Buffer.from(await response.arrayBuffer());
    const text = raw.toString("utf8");
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed, bytes: raw };
  }

  private absorbCookies(headers: Headers) {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      if (pair!.slice(0, eq) !== this.cookieName) continue;
      const value = pair!.slice(eq + 1);
      const cleared = /max-age=0/i.test(line) || /expires=thu, 01 jan 1970/i.test(line);
      this.sessionCookie = cleared || value === "" ? null : value;
    }
  }
}

export interface RequestOptions {
  json?: unknown;
  /** Multipart body; fetch sets the content type with its boundary. */
  form?: FormData;
  body?: string;
  /** Extra headers; `undefined` removes a default one (e.g. `origin`). */
  headers?: Record<string, string | undefined>;
}
