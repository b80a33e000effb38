import { createServer, type AddressInfo } from "node:net";

/**
 * A loopback port nobody listens on right now, so a server's public URL can name its port
 * before the server starts. Another process may take it in between: `startTestServer` tries
 * again on EADDRINUSE.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
