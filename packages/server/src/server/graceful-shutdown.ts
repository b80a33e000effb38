import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";

export interface GracefulShutdownOptions {
  /** Seconds running work may take once shutdown starts (`shutdownGrace`). */
  graceSeconds: number;
  /** Lets running replies finish until `deadline` (ms, real time), then ends the rest. */
  drainReplies: (deadline: number) => Promise<void>;
}

/**
 * Shutdown in a bounded time, whatever the clients do. Fastify's own `close()` waits for every
 * connection to end: one slow download or stalled upload kept the process alive forever.
 *
 * Installs two `preClose` hooks around the realtime layer's own (hooks run in the order they
 * are added): `beforeRealtime` stops listening and drains replies, the realtime hook then
 * closes the socket.io transports, and `afterRealtime` waits for HTTP requests still in flight
 * until the deadline and destroys what is left.
 */
export function gracefulShutdown(fastify: FastifyInstance, options: GracefulShutdownOptions) {
  // Every TCP connection, upgraded websockets included (closeAllConnections() skips those).
  const connections = new Set<Socket>();
  fastify.server.on("connection", (socket: Socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
  });
  let deadline = Number.POSITIVE_INFINITY;
  let draining = false;

  return {
    /** Whether shutdown has started (`/readyz` answers 503 from then on). */
    isDraining: () => draining,
    beforeRealtime(): void {
      fastify.addHook("preClose", async function drain() {
        deadline = Date.now() + options.graceSeconds * 1000;
        draining = true;
        // No new connections from here on (a load balancer moves to other processes); Fastify
        // answers 503 to new requests on kept-alive ones. Fastify's later close() of the
        // server then finds it closed, which it accepts.
        fastify.server.close();
        await options.drainReplies(deadline);
      });
    },
    afterRealtime(): void {
      fastify.addHook("preClose", async function forceClose() {
        await waitUntil(() => connections.size === 0, deadline);
        for (const socket of connections) socket.destroy();
      });
    },
  };
}

/** Polls `done` until it is true or `deadline` (ms, real time) passes. */
async function waitUntil(done: () => boolean, deadline: number): Promise<void> {
  while (!done() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(1, deadline - Date.now()))));
  }
}
