import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { sql } from "kysely";
import { eventually } from "@parlor/test-support";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../src/data/database.js";
import { SqliteCheckpoints } from "../src/data/sqlite-checkpoints.js";

describe("SQLite checkpoints on a worker thread", () => {
  let dir: string;
  let file: string;
  let warnings: string[];
  const log = { warn: (message: string) => warnings.push(message), info: () => undefined };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "parlor-checkpoints-"));
    file = join(dir, "parlor.sqlite");
    warnings = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeMegabytes = async (db: Database, megabytes: number) => {
    await sql`create table if not exists blobs (id integer primary key, body blob)`.execute(db);
    const body = Buffer.alloc(1024 * 1024, 1);
    for (let i = 0; i < megabytes; i++) await sql`insert into blobs (body) values (${body})`.execute(db);
  };

  it("copies committed pages into the database file without the server's connection checkpointing", async () => {
    const db = await openDatabase({ dialect: "sqlite", file }, { log });
    try {
      const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db);
      // 2 MB is about 500 pages: under SQLite's default of 1000 the server's connection would
      // not checkpoint yet, and with the fallback of 10 000 it never does here.
      expect(rows[0]!.wal_autocheckpoint).toBe(10_000);
      await writeMegabytes(db, 2);
      await eventually("the pages reach the database file", () => statSync(file).size >= 2 * 1024 * 1024);
      expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    } finally {
      await db.destroy();
    }
    // The thread closed its connection first, so the server's close was the last one: it
    // checkpointed what was left and removed the log.
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(warnings).toEqual([]);
    const reopened = new SQLite(file, { readonly: true });
    expect(reopened.prepare("select count(*) as n from blobs").get()).toEqual({ n: 2 });
    reopened.close();
  });

  it("gives checkpoints back to the server's connection when its thread fails, and says so", async () => {
    const sqlite = new SQLite(file);
    sqlite.pragma("journal_mode = WAL");
    // The thread opens the file only if it exists; this one does not.
    const checkpoints = SqliteCheckpoints.start(sqlite, join(dir, "missing.sqlite"), log);
    await eventually("the failure is reported", () => warnings.length > 0);
    expect(warnings[0]).toMatch(/^SQLite checkpoints are back on the server's thread: their worker failed \(.+\)$/);
    expect(sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    await checkpoints.close();
    sqlite.close();
  });

  it("runs no thread for an in-memory database", async () => {
    const db = await openDatabase({ dialect: "sqlite", file: ":memory:" }, { log });
    const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db);
    expect(rows[0]!.wal_autocheckpoint).toBe(1000);
    await db.destroy();
  });
});
