import pg from "pg";

/**
 * Before the suite: drops test schemas left behind by runs that were killed before their
 * cleanup (each test server makes its own `parlor_test_*` schema and drops it afterwards).
 */
export default async function dropLeftoverTestSchemas(): Promise<void> {
  const url = process.env.PARLOR_TEST_PG_URL;
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "select nspname as name from pg_namespace where nspname like 'parlor\\_test\\_%'",
    );
    for (const { name } of rows) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  } finally {
    await client.end();
  }
}
