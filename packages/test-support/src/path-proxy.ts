import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { registerCleanup } from "./cleanup.js";

export interface PathProxy {
  /** `http://<hostname>:<port>`: the one origin the apps behind share. */
  readonly origin: string;
  readonly port: number;
  /** Every request and upgrade it forwarded, as `<METHOD> <path>` (`UPGRADE /a/socket.io/…` for websockets). */
  readonly forwarded: string[];
  /** Adds or replaces a route (`/a` → port): apps whose public URL names the proxy start after it. */
  route(prefix: string, port: number): void;
  close(): Promise<void>;
}

export interface PathProxyOptions {
  /** Path prefix (`/a`, no trailing slash) → the loopback port of the app behind it; more with `route()`. */
  routes?: Record<string, number>;
  /** The host name of the public origin: `localhost` (default, a secure context for browsers) or `127.0.0.1`. */
  hostname?: "localhost" | "127.0.0.1";
}

/**
 * A reverse proxy as small as one can be, standing for nginx or a load balancer in front of
 * several Parlor apps on one host: it forwards each request whose path is under one of
 * `routes` to that app with the path, the Host header and every other header unchanged
 * (websocket upgrades included, byte for byte), and answers anything else 404 itself.
 * Closed when the test (or file) ends.
 *
 * @example
 * const proxy = await startPathProxy({ routes: { "/a": a.port, "/b": b.port } });
 */
export async function startPathProxy({ routes = {}, hostname = "localhost" }: PathProxyOptions = {}): Promise<PathProxy> {
  const table = new Map(Object.entries(routes));
  const forwarded: string[] = [];
  const sockets = new Set<Socket>();
  const targetOf = (url: string | undefined): number | null => {
    const path = (url ?? "/").split("?")[0]!;
    for (const [prefix, port] of table) if (path === prefix || path.startsWith(`${prefix}/`)) return port;
    return null;
  };

  const server = createServer(function forward(request: IncomingMessage, response: ServerResponse) {
    const port = targetOf(request.url);
    if (port === null) {
      response.writeHead(404, { "content-type": "text/plain" }).end("no app here");
      return;
    }
    forwarded.push(`${request.method} ${request.url}`);
    const upstream = httpRequest({ host: "127.0.0.1", port, method: request.method, path: request.url, headers: request.headers }, (answer) => {
      // Raw headers: several Set-Cookie lines stay several lines.
      response.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(response);
    });
    upstream.on("error", () => {
      if (response.headersSent) response.destroy();
      else response.writeHead(502).end();
    });
    request.pipe(upstream);
  });

  server.on("upgrade", function forwardUpgrade(request: IncomingMessage, client: Socket, head: Buffer) {
    const port = targetOf(request.url);
    if (port === null) {
      client.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n");
      return;
    }
    forwarded.push(`UPGRADE ${request.url}`);
    const upstream = connect(port, "127.0.0.1", () => {
      const lines = [`${request.method} ${request.url} HTTP/${request.httpVersion}`];
      for (let i = 0; i < request.rawHeaders.length; i += 2) lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once("close", () => sockets.delete(upstream));
    const end = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on("error", end);
    client.on("error", end);
    client.once("close", end);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | null = null;
  const proxy: PathProxy = {
    origin: `http://${hostname}:${port}`,
    port,
    forwarded,
    route(prefix, target) {
      if (!/^(\/[^/]+)+$/.test(prefix)) throw new TypeError(`startPathProxy: a route is a path without a trailing slash, got ${prefix}`);
      table.set(prefix, target);
    },
    close() {
      closed ??= new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      });
      return closed;
    },
  };
  registerCleanup(() => proxy.close());
  return proxy;
}
