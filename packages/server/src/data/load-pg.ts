import type pg from "pg";
import { importOptional } from "../config/optional-dependency.js";

export type Pg = typeof pg;

/**
 * The `pg` driver, loaded only when the database is PostgreSQL: it is an optional peer
 * dependency of `parlor`, so a SQLite deployment does not install it.
 */
export async function loadPg(): Promise<Pg> {
  const module = await importOptional(() => import("pg"), {
    feature: "PostgreSQL (a postgres:// PARLOR_DATABASE_URL)",
    packages: ["pg"],
  });
  return module.default;
}
