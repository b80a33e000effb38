import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateToLatest, openDatabase, resolveDatabaseConfig } from "parlor";
import { freePort, redisTestPrefix, redisTestUrl, type TestClient } from "@parlor/test-support";
import { startServerProcess, type ServerProcess } from "./server-process.js";

export interface NodePairOptions {
  /** The schema both nodes share (migrated here first, so they never race to create it). */
  databaseUrl: string;
  /** What the nodes connect to, when it is not `databaseUrl` (a proxy the test can cut). */
  nodeDatabaseUrl?: string;
  /** The public URL both nodes share; default node A's own address. */
  publicUrl?: string;
  /** Settings for both nodes, then for A and B only. */
  env?: Record<string, string>;
  envA?: Record<string, string>;
  envB?: Record<string, string>;
}

export interface NodePair {
  a: ServerProcess;
  b: ServerProcess;
  /** Kills whichever node still runs and removes the data folder. */
  stop(): Promise<void>;
}

/**
 * Two real `parlor run` nodes of one app on loopback, as behind one load balancer: one
 * PostgreSQL schema, one Redis with a prefix of their own (parallel runs never hear each
 * other), one public URL, so a cookie set by one is sent to the other.
 */
export async function startNodePair(options: NodePairOptions): Promise<NodePair> {
  const dataDir = mkdtempSync(join(tmpdir(), "parlor-nodes-"));
  const portA = await freePort();
  const shared = {
    PARLOR_REDIS_URL: redisTestUrl,
    PARLOR_REDIS_PREFIX: redisTestPrefix(),
    PARLOR_PUBLIC_URL: options.publicUrl ?? `http://127.0.0.1:${portA}`,
    // Many logins and reconnections from one address; those limits are not under test here.
    PARLOR_LOGIN_RATE_LIMIT: "10000",
    PARLOR_REALTIME_HANDSHAKES_PER_MINUTE: "10000",
    ...options.env,
  };
  const db = await openDatabase(resolveDatabaseConfig({ PARLOR_DATABASE_URL: options.databaseUrl }));
  await migrateToLatest(db).finally(() => db.destroy());
  const databaseUrl = options.nodeDatabaseUrl ?? options.databaseUrl;
  const started = await Promise.allSettled([
    startServerProcess({ databaseUrl, dataDir, port: portA, env: { ...shared, ...options.envA } }),
    startServerProcess({ databaseUrl, dataDir, env: { ...shared, ...options.envB } }),
  ]);
  const nodes = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const stop = async () => {
    for (const node of nodes) {
      if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill("SIGKILL");
      await node.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const failed = started.find((result) => result.status === "rejected");
  if (failed !== undefined) {
    await stop();
    throw failed.reason;
  }
  return { a: nodes[0]!, b: nodes[1]!, stop };
}

/** The same browser (cookie and CSRF token) as the balancer sends it to another node. */
export function sameBrowserOn(client: TestClient, node: ServerProcess): TestClient {
  const other = node.client();
  other.sessionCookie = client.sessionCookie;
  other.csrfToken = client.csrfToken;
  return other;
}
