import { mkdtempSync, rmSync } from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type defineApp, type ParlorServer, type ServerOptions } from "parlor";
import { registerCleanup } from "./cleanup.js";
import { connectSocket, type ClientSocket, type ConnectOptions } from "./socket-client.js";
import { dialects, type TestDatabase, type TestDialect } from "./databases.js";
import { echoApp } from "./echo-app.js";
import { freePort } from "./free-port.js";
import { useNodeRealmGlobals } from "./node-realm.js";
import { recordRequests, type RecordedRequest } from "./request-log.js";
import { TestClient } from "./test-client.js";
import { TestClock } from "./test-clock.js";

/** The auth secret of every test server (32+ bytes, varied enough for the server's check). */
export const TEST_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

export interface StartOptions {
  /** Default: `echoApp()`. */
  app?: ReturnType<typeof defineApp>;
  server?: ServerOptions;
  env?: Record<string, string>;
  /** Default: a new `TestClock` at the current time. */
  clock?: TestClock;
  /** Default: SQLite. */
  dialect?: TestDialect;
  /** An existing database to start on, instead of a fresh one of `dialect`; disposed by `stop()`. */
  database?: TestDatabase;
  /** Port to listen on (default: a free one). For tests that must know it before start-up. */
  port?: number;
  /**
   * Host name of the public URL: `127.0.0.1` (default) or `localhost`, which browsers treat
   * as a secure context, so the session cookie is `Secure` and `__Host-` (the server still
   * listens on 127.0.0.1).
   */
  publicHostname?: "127.0.0.1" | "localhost";
  /**
   * Serve the app under this path prefix (`/chat`): the public URL becomes
   * `http://<publicHostname>:<port>/chat/`, and the kit's clients and sockets use the prefix.
   */
  basePath?: string;
  /** Collect the server's log lines, parsed, in `logs` (set `server.logLevel` too: tests default to silent). */
  captureLogs?: boolean;
}

export interface TestServer {
  /** The running server; a new object after `up()` or `restart()`. */
  readonly server: ParlorServer;
  /** `http://<publicHostname>:<port>`: the app's own origin. */
  readonly origin: string;
  /** The path prefix the app is served under (`basePath`), or `""`. */
  readonly basePath: string;
  readonly port: number;
  readonly clock: TestClock;
  /** The server's data folder (uploaded files live under `files/`). */
  readonly dataDir: string;
  /** The database the server runs on; `stop()` disposes it. */
  readonly database: TestDatabase;
  /** Every HTTP request the server answered (socket.io's own excepted), in order of the answers. */
  readonly requests: RecordedRequest[];
  /** How many `method path` requests the server answered. */
  count(method: string, path: string): number;
  /** Log lines (parsed JSON) when started with `captureLogs`. */
  readonly logs: any[];
  /** A browser-like client of this server: its own cookie jar, same-origin headers. */
  client(): TestClient;
  /** A client logged in with the echo app's password (fails the test when the login does). */
  loggedIn(username?: string): Promise<TestClient>;
  /** A socket.io client of this server with `client`'s cookies (see `connectSocket`). */
  connect(client: TestClient | null, options?: ConnectOptions): Promise<ClientSocket>;
  /**
   * Stops the server, keeping its database, data dir and port (`up()` starts it again).
   * `abrupt`: cut every TCP connection first, as a crash does (clients see "transport close").
   * `dropSockets`: disconnect every socket.io socket from the server side first ("io server
   * disconnect"), as servers did before the graceful shutdown.
   */
  down(options?: { abrupt?: boolean; dropSockets?: boolean }): Promise<void>;
  /** Starts the server again on the same database, data dir and port, with `changes` applied. */
  up(changes?: Pick<StartOptions, "server">): Promise<TestServer>;
  /** `down()` then `up(changes)`. */
  restart(changes?: Pick<StartOptions, "server">): Promise<TestServer>;
  /** Stops the server and removes its database and data. Runs by itself when the test (or, from a `beforeAll`, the file) ends. */
  stop(): Promise<void>;
}

/**
 * Starts a real Parlor server on a loopback port, on a fresh database of the given dialect
 * and a temporary data dir, with logging off and login rate limits raised unless the test sets
 * them. Its cleanup is registered once here (see `registerCleanup`), so suites need no
 * `afterEach` of their own.
 */
export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  useNodeRealmGlobals();
  const database = options.database ?? (await (options.dialect ?? dialects[0]!).create());
  const dataDir = mkdtempSync(join(tmpdir(), "parlor-data-"));
  const clock = options.clock ?? new TestClock();
  const hostname = options.publicHostname ?? "127.0.0.1";
  const basePath = options.basePath ?? "";
  const requests: RecordedRequest[] = [];
  const logs: any[] = [];
  const connections = new Set<Socket>();
  let serverOptions = options.server ?? {};
  let server: ParlorServer | null = null;
  let port = options.port ?? (await freePort());
  let stopped = false;

  const boot = async (): Promise<ParlorServer> => {
    const origin = `http://${hostname}:${port}`;
    // A test that moves the public URL elsewhere still talks to <hostname>:<port>.
    const reachable = serverOptions.publicUrl === undefined || serverOptions.allowedHosts !== undefined ? {} : { allowedHosts: [`${hostname}:${port}`] };
    const created = await createServer(options.app ?? echoApp(), {
      env: { PARLOR_DATABASE_URL: database.url, ...options.env },
      clock: clock.now,
      ...(options.captureLogs ? { logStream: { write: (line: string) => void logs.push(JSON.parse(line)) } } : {}),
      server: {
        host: "127.0.0.1",
        port: 0,
        dataDir,
        authSecret: TEST_SECRET,
        logLevel: "silent",
        publicUrl: `${origin}${basePath}/`,
        ...reachable,
        ...serverOptions,
        loginRateLimit: { max: 10_000, ...serverOptions.loginRateLimit },
      },
    });
    recordRequests(created, requests);
    try {
      await created.fastify.listen({ host: "127.0.0.1", port });
    } catch (error) {
      await created.close();
      throw error;
    }
    // Every TCP connection, upgraded WebSockets included, so `down({ abrupt: true })` can cut them.
    created.fastify.server.on("connection", (connection: Socket) => {
      connections.add(connection);
      connection.once("close", () => connections.delete(connection));
    });
    return created;
  };

  try {
    // The public URL names the port, so the port is picked before the server is created;
    // another process could take it in between: try again on a new one.
    for (let attempt = 1; ; attempt++) {
      try {
        server = await boot();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || options.port !== undefined || attempt === 5) throw error;
        port = await freePort();
      }
    }
  } catch (error) {
    await database.dispose();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }

  const self: TestServer = {
    get server() {
      if (!server) throw new Error("test server: it is down (call up())");
      return server;
    },
    get origin() {
      return `http://${hostname}:${port}`;
    },
    get port() {
      return port;
    },
    basePath,
    clock,
    dataDir,
    database,
    requests,
    logs,
    count: (method, path) => requests.filter((r) => r.method === method && r.path === path).length,
    client: () => new TestClient(self.origin, self.server.config.cookie.name, undefined, basePath),
    async loggedIn(username = "alice") {
      const client = self.client();
      const response = await client.login(username);
      if (response.status !== 200) throw new Error(`test server: login as ${username} answered ${response.status} ${JSON.stringify(response.body)}`);
      return client;
    },
    connect: (client, options) => connectSocket(self, client, { ...(basePath === "" ? {} : { path: `${basePath}/socket.io` }), ...options }),
    async down({ abrupt = false, dropSockets = false } = {}) {
      if (!server) return;
      const running = server;
      server = null;
      if (abrupt) for (const connection of connections) connection.destroy();
      // The chat runtime decorates Fastify with `realtime`; its type is not exported.
      if (dropSockets) (running.fastify as unknown as { realtime: { disconnectSockets(close: boolean): void } }).realtime.disconnectSockets(true);
      await running.close();
    },
    async up(changes = {}) {
      if (server) throw new Error("test server: it is up already");
      serverOptions = { ...serverOptions, ...changes.server };
      server = await boot();
      return self;
    },
    async restart(changes = {}) {
      await self.down();
      return self.up(changes);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await self.down();
      await database.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  registerCleanup(() => self.stop());
  return self;
}
