import { dialects } from "@parlor/test-support";
import { describe, expect, it } from "vitest";
import { resolveDatabaseConfig } from "../src/config/resolve-config.js";
import { openDatabase } from "../src/data/database.js";
import { migrateToLatest } from "../src/data/migrate.js";

const postgres = dialects.filter((dialect) => dialect.name === "postgres");

// Kysely's own introspection reads every schema of the database, so another schema dropped
// at the wrong moment failed a migration ("schema … does not exist"); Parlor's reads its own.
describe.each(postgres)("introspection on $name", (dialect) => {
  it("sees the tables of the current schema only, and migrations find their own tables in it", async () => {
    const [a, b] = [await dialect.create(), await dialect.create()];
    const dbA = await openDatabase(resolveDatabaseConfig({ PARLOR_DATABASE_URL: a.url }));
    const dbB = await openDatabase(resolveDatabaseConfig({ PARLOR_DATABASE_URL: b.url }));
    try {
      await migrateToLatest(dbA);
      await dbB.schema.createTable("only_in_b").addColumn("x", "integer").execute();
      const namesA = (await dbA.introspection.getTables()).map((table) => table.name);
      expect(namesA).toEqual(expect.arrayContaining(["users", "threads", "messages", "parlor_migrations"]));
      expect(namesA).not.toContain("only_in_b");
      expect((await dbB.introspection.getTables()).map((table) => table.name)).toEqual(["only_in_b"]);
      // Run again: the migrator finds its table in this schema and has nothing left to do.
      expect(await migrateToLatest(dbA)).toEqual([]);
    } finally {
      await dbA.destroy();
      await dbB.destroy();
      await a.dispose();
      await b.dispose();
    }
  });
});
