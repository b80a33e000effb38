import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { resolveConfig } from "parlor";
import { TEST_SECRET, TestClient } from "./test-server.js";

/** The `parlor` command as npm links it (it loads the build; `npm test` builds first). */
const BIN = fileURLToPath(new URL("../../../cli/bin/parlor.js", import.meta.url));
const APP = fileURLToPath(new URL("../fixtures/reply-app.ts", import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  origin: string;
  port: number;
  /** Resolves when the process has exited, with its code and the time it exited (ms). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  output(): string;
  client(): TestClient;
}

export interface ServerProcessOptions {
  databaseUrl: string;
  dataDir: string;
  port?: number;
  /** More `PARLOR_*` settings, and `TEST_REPLY` (see fixtures/reply-app.ts). */
  env?: Record<string, string>;
}

/** Runs `parlor run` on the reply test app in a real child process and waits until it serves. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const origin = `http://127.0.0.1:${port}`;
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: String(port),
    HOST: "127.0.0.1",
    PARLOR_PUBLIC_URL: origin,
    PARLOR_DATA_DIR: options.dataDir,
    PARLOR_DATABASE_URL: options.databaseUrl,
    PARLOR_AUTH_SECRET: TEST_SECRET,
    PARLOR_WEB_ROOT: "false",
    PARLOR_LOG_LEVEL: "warn",
    ...options.env,
  };
  const child = spawn(process.execPath, [BIN, "run", APP], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const cookieName = resolveConfig({ appName: "Reply Test App", env }).cookie.name;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server process exited at start:\n${output}`);
    if (
      await fetch(`${origin}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server process did not come up:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, origin, port, exited, output: () => output, client: () => new TestClient(origin, cookieName) };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
