import { startServer, type ParlorApp, type ParlorServer } from "parlor";
import { terminalLogs } from "./terminal-logs.js";

/** Beyond `shutdownGrace`: the last writes of interrupted replies and closing the database. */
const SHUTDOWN_MARGIN_SECONDS = 10;

/** Serves the app until SIGINT/SIGTERM, then shuts down gracefully (a second Ctrl-C: at once). */
export async function serveApp(app: ParlorApp): Promise<ParlorServer> {
  const server = await startServer(app, { logStream: terminalLogs() });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    const grace = server.config.shutdownGrace;
    server.fastify.log.info(`${signal}: shutting down (running replies get ${grace} s)`);
    // close() is bounded by design; this only guards against a bug or a hung database.
    setTimeout(
      () => {
        server.fastify.log.error("shutdown took too long; exiting");
        process.exit(1);
      },
      (grace + SHUTDOWN_MARGIN_SECONDS) * 1000,
    ).unref();
    await server.close();
    process.exit(0);
  };
  process.on("SIGINT", (signal) => void stop(signal));
  process.on("SIGTERM", (signal) => void stop(signal));
  return server;
}
