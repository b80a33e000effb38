import { connect, createServer, type Socket } from "node:net";

/**
 * A TCP proxy on 127.0.0.1 in front of a server, that can turn into a black hole: it cuts the
 * connections it carries and accepts new ones without ever answering, like a database host
 * lost behind a network partition (where a stopped database would refuse at once).
 */
export interface BlackholeProxy {
  /** Host and port to connect to instead of the target's. */
  readonly port: number;
  /** Cuts every carried connection; new ones are accepted and left unanswered. */
  blackhole(): void;
  /** Forwards new connections to the target again (and lets the unanswered ones go). */
  forward(): void;
  close(): Promise<void>;
}

export async function startBlackholeProxy(targetPort: number): Promise<BlackholeProxy> {
  const sockets = new Set<Socket>();
  let swallowing = false;

  const server = createServer(function relay(socket) {
    track(socket);
    if (swallowing) return;
    const upstream = connect(targetPort, "127.0.0.1");
    track(upstream);
    const cut = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on("error", cut).on("close", cut);
    upstream.on("error", cut).on("close", cut);
    socket.pipe(upstream).pipe(socket);
  });
  function track(socket: Socket) {
    sockets.add(socket);
    socket.on("error", () => undefined).on("close", () => sockets.delete(socket));
  }
  const destroyAll = () => {
    for (const socket of sockets) socket.destroy();
  };

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("proxy has no port");
  return {
    port: address.port,
    blackhole() {
      swallowing = true;
      destroyAll();
    },
    forward() {
      swallowing = false;
      destroyAll();
    },
    async close() {
      destroyAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
