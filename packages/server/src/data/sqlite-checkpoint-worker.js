// @ts-check
// The thread of sqlite-checkpoints.ts: copies SQLite's write-ahead log into the database file
// and waits for the disk there, away from the server's event loop. Plain JavaScript so that
// the same file runs from src/ (tests) and dist/ (tsc copies it, allowJs).
import { parentPort, workerData } from "node:worker_threads";
import SQLite from "better-sqlite3";

/** @type {{ file: string; intervalMs: number }} */
const { file, intervalMs } = workerData;
const database = new SQLite(file, { fileMustExist: true });

// PASSIVE never waits for the server's connection and never blocks it: it copies the frames
// the log holds when it starts, and the next one copies the rest. A failure (a full disk) ends
// this thread with the error; the server then checkpoints on its own connection again.
const timer = setInterval(() => database.pragma("wal_checkpoint(PASSIVE)"), intervalMs);

parentPort?.on("message", (message) => {
  if (message !== "close") return;
  clearInterval(timer);
  database.close();
  parentPort?.close();
});
