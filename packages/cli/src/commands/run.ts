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
  const stop = async (signal: string) => {
    server.fastify.log.info(`${signal}: shutting down`);
    await server.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

export class UsageError extends Error {}
