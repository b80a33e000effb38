import type SQLite from "better-sqlite3";
import { join } from "node:path";
import { Worker } from "node:worker_threads";

/** How often the thread copies the log into the database file. */
const INTERVAL_MS = 200;
/**
 * The server's own connection still checkpoints once the log holds this many pages (40 MB):
 * a bound for when the thread falls behind (under a constant stream of writes a PASSIVE
 * checkpoint never catches the last frames, so the log would not start over).
 */
const FALLBACK_PAGES = 10_000;
/** SQLite's default, restored when the thread is gone. */
const DEFAULT_PAGES = 1000;
/** A checkpoint waits for the disk; past this the thread is stopped mid-way (the log stays valid). */
const CLOSE_WAIT_MS = 5000;

export interface CheckpointLog {
  warn(message: string): void;
}

/**
 * Checkpoints of SQLite's write-ahead log on a worker thread, with a connection of its own.
 *
 * By default SQLite checkpoints on the connection that commits, once the log passes 1000
 * pages: it copies them into the database file and fsyncs both, and on the chat path that
 * blocked the event loop for ~25 ms every few hundred messages, two thirds of all the time
 * spent in COMMIT (bench/README.md, "Chat latency"). Here the copy and the fsyncs happen on
 * the thread; the server's connection only appends to the log, and checkpoints itself only
 * as a fallback (40 MB of log, or the thread failed). Durability is unchanged: a commit was
 * never fsynced in WAL mode with `synchronous = NORMAL`, and a checkpoint is the same either way.
 * The thread costs ~30 ms of CPU once, at start-up (a Node.js isolate loading better-sqlite3).
 */
export class SqliteCheckpoints {
  private stopped = false;

  private constructor(
    private readonly worker: Worker,
    private readonly exited: Promise<unknown>,
  ) {}

  static start(sqlite: SQLite.Database, file: string, log: CheckpointLog): SqliteCheckpoints {
    // A path, not a URL: under jsdom (the React package's tests run a server) the global URL is
    // jsdom's, which Worker does not take for a file URL.
    const worker = new Worker(join(import.meta.dirname, "sqlite-checkpoint-worker.js"), { workerData: { file, intervalMs: INTERVAL_MS } });
    // The thread must not keep a finished process alive; close() is how it ends normally.
    worker.unref();
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    const checkpoints = new SqliteCheckpoints(worker, exited);
    sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_PAGES}`);
    let failure = "it stopped";
    worker.on("error", (error) => (failure = error.message));
    worker.once("exit", () => {
      if (checkpoints.stopped) return;
      log.warn(`SQLite checkpoints are back on the server's thread: their worker failed (${failure})`);
      if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${DEFAULT_PAGES}`);
    });
    return checkpoints;
  }

  /** Ends the thread and closes its connection; call before closing the server's connection. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.worker.postMessage("close");
    const timeout = setTimeout(() => void this.worker.terminate(), CLOSE_WAIT_MS);
    await this.exited;
    clearTimeout(timeout);
  }
}
