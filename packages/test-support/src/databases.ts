import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * The databases every data-touching suite runs against. PostgreSQL runs when
 * PARLOR_TEST_PG_URL is set (CI always sets it, and fails when it cannot connect);
 * each test server gets its own schema, dropped afterwards.
 */
export interface TestDatabase {
  /** Value for PARLOR_DATABASE_URL. */
  url: string;
  dispose(): Promise<void>;
}

export interface TestDialect {
  name: "sqlite" | "postgres";
  create(): Promise<TestDatabase>;
}

export const pgUrl = process.env.PARLOR_TEST_PG_URL;

if (process.env.CI && !pgUrl) {
  throw new Error("CI must run the PostgreSQL suites: set PARLOR_TEST_PG_URL");
}

const sqlite: TestDialect = {
  name: "sqlite",
  async create() {
    const dir = mkdtempSync(join(tmpdir(), "parlor-db-"));
    return { url: `sqlite:${join(dir, "test.db")}`, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

const postgres: TestDialect = {
  name: "postgres",
  async create() {
    // The creation time in the name lets the global setup tell a killed run's leftovers from
    // the schemas of a run still going on in parallel (see pg-global-setup.ts).
    const schema = `parlor_test_${Date.now().toString(36)}_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const url = new URL(pgUrl!);
    url.searchParams.set("options", `-c search_path=${schema}`);
    return {
      url: url.toString(),
      async dispose() {
        const client = new pg.Client({ connectionString: pgUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      },
    };
  },
};

/** SQLite always; PostgreSQL when configured. Use with `describe.each(dialects)`. */
export const dialects: TestDialect[] = pgUrl ? [sqlite, postgres] : [sqlite];
