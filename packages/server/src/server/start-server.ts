import type { ParlorApp } from "../app/define-app.js";
import { createServer, type CreateServerOptions, type ParlorServer } from "./create-server.js";

/**
 * Creates the server and listens on the configured host and port, telling the deployer
 * what matters (where it listens, configuration warnings) through the logger.
 */
export async function startServer(app: ParlorApp, options: CreateServerOptions = {}): Promise<ParlorServer> {
  const server = await createServer(app, options);
  const { fastify, config } = server;
  for (const warning of config.warnings) fastify.log.warn(warning);
  await fastify.listen({ port: config.port, host: config.host });
  fastify.log.info(`${config.appName} is ready at ${config.publicUrl.href}`);
  return server;
}
