import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";

export interface GracefulShutdownOptions {
  /** Seconds running work may take once shutdown starts (`shutdownGrace`). */
  graceSeconds: number;
  /** Seconds the port stays open once shutdown starts, for readiness probes (`shutdownReadinessWindow`). */
  readinessWindowSeconds: number;
  /** Refuses new messages from now on; running replies go on. */
  stopTakingMessages: () => void;
  /** Lets running replies finish until `deadline` (ms, real time), then ends the rest. */
  drainReplies: (deadline: number) => Promise<void>;
}

/**
 * Shutdown in a bounded time, whatever the clients do. Fastify's own `close()` waits for every
 * connection to end: one slow download or stalled upload kept the process alive forever.
 *
 * `close()` (SIGTERM) first announces the drain: `/readyz` answers 503 `draining`, new
 * messages and sockets are refused, and the port stays open for the readiness window, so a
 * balancer that probes sees the node leave instead of meeting refused connections. Fastify's
 * own close must wait for the window: once it starts, Fastify answers every request with its
 * bare 503, `/readyz` included.
 *
 * Then two `preClose` hooks around the realtime layer's own (hooks run in the order they are
 * added): `beforeRealtime` stops listening and drains replies, the realtime hook then closes
 * the socket.io transports (clients reconnect, to a sibling), and `afterRealtime` waits for
 * HTTP requests still in flight until the deadline and destroys what is left.
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
  // The grace period counts from the first sign of shutdown, the window included.
  const announce = () => {
    if (draining) return;
    draining = true;
    deadline = Date.now() + options.graceSeconds * 1000;
    options.stopTakingMessages();
  };

  return {
    /** Whether shutdown has started (`/readyz` answers 503, handshakes are refused from then on). */
    isDraining: () => draining,
    /** The server's `close()`: announces the drain, keeps the port open for the window, then closes. */
    async close(): Promise<void> {
      announce();
      const windowEnd = Math.min(deadline, Date.now() + options.readinessWindowSeconds * 1000);
      if (windowEnd > Date.now()) await new Promise((resolve) => setTimeout(resolve, windowEnd - Date.now()));
      await fastify.close();
    },
    beforeRealtime(): void {
      fastify.addHook("preClose", async function drain() {
        // Also when Fastify is closed directly (an embedder's `fastify.close()`).
        announce();
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

export type GracefulShutdown = ReturnType<typeof gracefulShutdown>;
