import { webcrypto } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createNetServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, defineApp, type AppDefinition, type ParlorServer, type ServerOptions } from "parlor";

export const PASSWORD = "correct horse battery staple";
/** 32+ bytes with enough different characters for the server's secret check. */
const AUTH_SECRET = "react-client-tests-9f3Kq2Lw8Zx1Vb7Nm4Hc6Jd0Tp5Ry";

/** Accepts any username with PASSWORD; echoes every message back word by word. */
export function echoApp(overrides: Partial<AppDefinition> = {}) {
  return defineApp({
    name: "React Client Test",
    auth: {
      password: ({ username, password }) => (password === PASSWORD ? { identifier: username, displayName: `User ${username}` } : null),
    },
    async onMessage(message, chat) {
      const reply = chat.reply();
      for (const word of message.content.split(" ")) await reply.stream(`${word} `);
      await reply.end();
    },
    ...overrides,
  });
}

/**
 * Under `@vitest-environment jsdom`, Vitest replaces `Uint8Array`, `ArrayBuffer` and `crypto`
 * with jsdom's, so Node's own buffers fail `instanceof Uint8Array` and the server's JWT
 * library refuses its keys. The server runs in this process: give it Node's back. (jsdom
 * keeps its own realm internally; React and the client code do not care.)
 */
function useNodeRealmGlobals(): void {
  const nodeGlobals = {
    Uint8Array: Object.getPrototypeOf(Buffer.prototype).constructor as Uint8ArrayConstructor,
    ArrayBuffer: Buffer.alloc(1).buffer.constructor as ArrayBufferConstructor,
    crypto: webcrypto as unknown as Crypto,
  };
  for (const [name, value] of Object.entries(nodeGlobals)) {
    if ((globalThis as Record<string, unknown>)[name] !== value) {
      Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
    }
  }
}

/** A clock the test moves instead of waiting. */
export class TestClock {
  now = Date.now();
  advance(seconds: number) {
    this.now += seconds * 1000;
  }
  readonly read = () => this.now;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Whether the request carried an `X-CSRF-Token` header. */
  csrfHeader: boolean;
  /** Whether a `Cookie` header came along. */
  cookie: boolean;
  /** `Origin`, else `Referer`, else `null`. */
  origin: string | null;
  status: number;
}

export interface TestParlor {
  server: ParlorServer;
  origin: string;
  clock: TestClock;
  /** Every HTTP request the server answered (socket.io's own excluded), in order of the answers. */
  requests: RecordedRequest[];
  count(method: string, path: string): number;
  /**
   * Stops the server, keeping its database (a restart is `down()` then `up()`). `abrupt`: cut
   * every connection first, as a crash or a shutdown that closes sockets at the transport level
   * does (clients see "transport close", not a disconnect from the server). `dropSockets`: what
   * servers before the graceful shutdown did, disconnect every socket ("io server disconnect").
   */
  down(options?: { abrupt?: boolean; dropSockets?: boolean }): Promise<void>;
  /** Starts it again on the same port and database. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real Parlor server on a loopback port, on a fresh SQLite file in a temporary folder, with
 * every HTTP request recorded so tests can count them.
 */
export async function startParlor(options: { app?: ReturnType<typeof defineApp>; server?: ServerOptions } = {}): Promise<TestParlor> {
  useNodeRealmGlobals();
  const dataDir = mkdtempSync(join(tmpdir(), "parlor-react-"));
  const clock = new TestClock();
  const requests: RecordedRequest[] = [];

  const boot = async (port: number) => {
    const server = await createServer(options.app ?? echoApp(), {
      env: { PARLOR_DATABASE_URL: `sqlite:${join(dataDir, "t.db")}` },
      clock: clock.read,
      server: {
        host: "127.0.0.1",
        port: 0,
        dataDir,
        authSecret: AUTH_SECRET,
        logLevel: "silent",
        // The address the tests really use: the server refuses requests for any other Host.
        publicUrl: `http://127.0.0.1:${port}`,
        ...options.server,
        loginRateLimit: { max: 10_000, ...options.server?.loginRateLimit },
      },
    });
    // onResponse, not onRequest: a request refused by an earlier onRequest hook (401, 403)
    // skips the later onRequest hooks, but every request gets a response.
    server.fastify.addHook("onResponse", async (request, reply) => {
      requests.push({
        method: request.method,
        path: request.url.split("?")[0]!,
        csrfHeader: request.headers["x-csrf-token"] !== undefined,
        cookie: request.headers.cookie !== undefined,
        origin: request.headers.origin ?? request.headers.referer ?? null,
        status: reply.statusCode,
      });
    });
    await server.fastify.listen({ host: "127.0.0.1", port });
    // Every TCP connection, upgraded WebSockets included, so `down({ abrupt: true })` can cut them.
    server.fastify.server.on("connection", (connection: Socket) => {
      connections.add(connection);
      connection.once("close", () => connections.delete(connection));
    });
    return server;
  };
  const connections = new Set<Socket>();

  const port = await freePort();
  let server = await boot(port);
  let running = true;
  const t: TestParlor = {
    server,
    origin: `http://127.0.0.1:${port}`,
    clock,
    requests,
    count: (method, path) => requests.filter((r) => r.method === method && r.path === path).length,
    down: async ({ abrupt = false, dropSockets = false } = {}) => {
      running = false;
      if (abrupt) for (const connection of connections) connection.destroy();
      if (dropSockets) server.fastify.realtime.disconnectSockets(true);
      await server.close();
    },
    up: async () => {
      server = await boot(port);
      running = true;
      t.server = server;
    },
    stop: async () => {
      if (running) await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

/** A free loopback port, known before start-up so the public URL can name it. */
async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
