import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createParlorClient, type ChatStore, type ParlorClient } from "@parlor/client";
import { startServer, type ParlorApp, type ServerOptions } from "parlor";

export interface StartedApp {
  origin: string;
  stop(): Promise<void>;
}

/**
 * Serves the app on a free loopback port with a database of its own in a temporary folder,
 * as `parlor run` would, but ignoring your shell's PARLOR_* variables (`env: {}`), so a test
 * run never touches the data in `.parlor/`.
 */
export async function startApp(app: ParlorApp, options: ServerOptions = {}): Promise<StartedApp> {
  const dataDir = mkdtempSync(join(tmpdir(), "parlor-app-test-"));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = await startServer(app, {
    env: {},
    server: { port, host: "127.0.0.1", publicUrl: origin, dataDir, authSecret: randomBytes(32).toString("base64url"), logLevel: "warn", ...options },
  });
  return {
    origin,
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A `@parlor/client` as a page of the app's origin has it: the session cookie is kept between
 * requests and sent with the socket.io handshake, as a browser does.
 */
export function chatClient(origin: string): ParlorClient {
  const cookies = new Map<string, string>();
  const cookieHeader = () => [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  const keepCookies: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set("origin", origin);
    if (cookies.size > 0) headers.set("cookie", cookieHeader());
    const response = await fetch(input, { ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      if (value === "") cookies.delete(name);
      else cookies.set(name, value);
    }
    return response;
  };
  return createParlorClient({
    baseUrl: origin,
    fetch: keepCookies,
    socketOptions: () => ({ transports: ["websocket"], extraHeaders: { origin, cookie: cookieHeader() } }),
  });
}

/** Resolves with the text of the chat's last reply once it is complete. */
export function waitForReply(chat: ChatStore): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const last = chat.getSnapshot().messages.at(-1);
      if (last?.role !== "assistant" || last.status === "streaming") return;
      unsubscribe();
      if (last.status === "complete") resolve(last.content);
      else reject(new Error(`the reply ended as ${last.status}: ${last.content}`));
    };
    const unsubscribe = chat.subscribe(check);
    check();
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}
