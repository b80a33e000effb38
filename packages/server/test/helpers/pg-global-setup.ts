import pg from "pg";

/** A schema older than this belongs to a run that was killed before its cleanup. */
const LEFTOVER_AFTER_MS = 2 * 3600_000;

/**
 * Before the suite: drops test schemas left behind by runs that were killed before their
 * cleanup (each test server makes its own `parlor_test_<created, base 36>_<random>` schema
 * and drops it afterwards). Recent ones are left alone: another run may be using them.
 */
export default async function dropLeftoverTestSchemas(): Promise<void> {
  const url = process.env.PARLOR_TEST_PG_URL;
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>("select nspname as name from pg_namespace where nspname like 'parlor\\_test\\_%'");
    for (const { name } of rows) {
      const created = parseInt(/^parlor_test_([0-9a-z]+)_[0-9a-f]+$/.exec(name)?.[1] ?? "0", 36);
      if (Date.now() - created < LEFTOVER_AFTER_MS) continue;
      await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    }
  } finally {
    await client.end();
  }
}
