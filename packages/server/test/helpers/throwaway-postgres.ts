import { execFile, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

/**
 * A PostgreSQL cluster of the test's own, so a test can stop and start the database under a
 * running Parlor (the shared test database must never go down). The cluster lives in a temp
 * folder, listens on 127.0.0.1 at a free port with trust auth, and keeps that port across
 * restarts, like a database server that reboots.
 */
export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  readonly port: number;
  /** Starts the server (again) on the same port; resolves once it accepts connections. No-op when it runs. */
  start(): Promise<void>;
  /**
   * `pg_ctl stop -m fast`: the server ends every session, so idle pooled connections get
   * 57P01 (admin_shutdown), as when a database is restarted for maintenance. No-op when stopped.
   */
  stop(): Promise<void>;
  /** Runs one statement on a fresh connection (e.g. `pg_terminate_backend`). */
  query<Row extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<Row[]>;
  /** Stops the server if it runs and deletes the cluster. Safe to call more than once. */
  destroy(): Promise<void>;
}

const BIN = process.env.PARLOR_TEST_PG_BIN ?? newestDebianPostgresBin() ?? "/usr/lib/postgresql/15/bin";
const run = promisify(execFile);

/** Debian installs each PostgreSQL version's server binaries under /usr/lib/postgresql/<version>/bin. */
function newestDebianPostgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((version) => existsSync(join(root, version, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

/**
 * Whether this machine can run a throwaway cluster (the server binaries are installed; set
 * PARLOR_TEST_PG_BIN to their folder elsewhere).
 */
export function canRunThrowawayPostgres(): boolean {
  return spawnSync(join(BIN, "pg_ctl"), ["--version"]).status === 0;
}

/**
 * Creates a cluster with `initdb` and starts it. PostgreSQL refuses to run as root, so as
 * root the binaries run as the `postgres` user (`runuser`) on a folder it owns.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const root = mkdtempSync("/tmp/parlor-pg-");
  const dataDir = join(root, "data");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
    const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
    chownSync(root, uid, gid);
    chmodSync(root, 0o700);
  }
  const pgCommand = async (program: string, args: string[]) => {
    const [file, fileArgs] = asRoot ? ["runuser", ["-u", "postgres", "--", join(BIN, program), ...args]] : [join(BIN, program), args];
    await run(file, fileArgs, { timeout: 60_000 });
  };

  // C.UTF-8 like the shared test database, so case-insensitive search folds non-ASCII letters too.
  await pgCommand("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]).catch((error: unknown) => {
    rmSync(root, { recursive: true, force: true });
    throw error;
  });
  const port = await freePort();
  // The Unix socket goes to the cluster's own folder, not /var/run/postgresql (owned by the
  // system's server). fsync off: the cluster is thrown away, and its writes must not slow
  // the shared machine.
  const serverOptions = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  let running = false;

  const self: ThrowawayPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      if (running) return;
      await pgCommand("pg_ctl", ["-D", dataDir, "-l", join(root, "server.log"), "-o", serverOptions, "-w", "-t", "30", "start"]);
      running = true;
    },
    async stop() {
      if (!running) return;
      await pgCommand("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "-t", "30", "stop"]);
      running = false;
    },
    async query(text, values) {
      const client = new pg.Client({ connectionString: self.url });
      await client.connect();
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    async destroy() {
      process.removeListener("exit", stopOnExit);
      if (running) await pgCommand("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
      running = false;
      rmSync(root, { recursive: true, force: true });
    },
  };

  // A test run that dies without its cleanup (a crash is what these tests look for) must
  // not leave a server running: stop it synchronously as the process exits.
  function stopOnExit() {
    if (!running) return;
    const args = ["-D", dataDir, "-m", "immediate", "-w", "stop"];
    if (asRoot) spawnSync("runuser", ["-u", "postgres", "--", join(BIN, "pg_ctl"), ...args]);
    else spawnSync(join(BIN, "pg_ctl"), args);
    rmSync(root, { recursive: true, force: true });
  }
  process.on("exit", stopOnExit);

  try {
    await self.start();
  } catch (error) {
    await self.destroy();
    throw error;
  }
  return self;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
