import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { eventually, freePort } from "@parlor/test-support";

/** A `redis-server` of the test's own on loopback, which the test may stop and start again. */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM, as a restart would); connections are then refused. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence), once it listens. */
  start(): Promise<void>;
}

/**
 * Starts `redis-server` on a free port, without persistence, with `args` added (such as
 * `--requirepass`). The shared Redis must never go down; this one can. Stopped by `stop()`,
 * and by the test's cleanup through `registerCleanup(() => redis.stop())`.
 */
export async function startPrivateRedis(args: string[] = []): Promise<PrivateRedis> {
  const port = await freePort();
  let server: ChildProcess | null = null;
  const listening = () =>
    new Promise<boolean>((resolve) => {
      const probe = connect(port, "127.0.0.1");
      probe.once("connect", () => resolve(true)).once("error", () => resolve(false));
      probe.once("close", () => probe.destroy());
      setTimeout(() => probe.destroy(), 100).unref();
    });
  const self: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      if (server !== null) return;
      server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...args], { stdio: "ignore" });
      await eventually("the private redis-server to listen", listening);
    },
    async stop() {
      if (server === null) return;
      const exited = new Promise((resolve) => server!.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
      server = null;
    },
  };
  await self.start();
  return self;
}
