import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isParlorApp, startServer } from "parlor";
import { tsImport } from "tsx/esm/api";

/**
 * `parlor run <app.ts>`: loads a TypeScript (or JavaScript) app file without a build step,
 * through tsx, and serves it until SIGINT/SIGTERM.
 */
export async function runCommand(args: string[]): Promise<void> {
  const file = args[0];
  if (!file) throw new UsageError("parlor run needs an app file: parlor run app.ts");
  const url = pathToFileURL(resolve(file)).href;
  const module = (await tsImport(url, import.meta.url)) as { default?: unknown };
  const app = module.default;
  if (!isParlorApp(app)) {
    throw new UsageError(`${file} must \`export default defineApp({...})\``);
  }
  const server = await startServer(app);
  let stopping = false;
  const stop = async (signal: string) => {
    // A second Ctrl-C means "now": no more waiting for replies.
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
}

/** Beyond `shutdownGrace`: the last writes of interrupted replies and closing the database. */
const SHUTDOWN_MARGIN_SECONDS = 10;

export class UsageError extends Error {}
