import { ParlorConfigError } from "../errors.js";

/** A feature that needs packages `parlor` lists as optional peer dependencies (pg, the AWS SDK). */
export interface OptionalFeature {
  /** For the error message, e.g. `PostgreSQL (PARLOR_DATABASE_URL=postgres://…)`. */
  feature: string;
  /** The packages to install for it. */
  packages: readonly string[];
}

/**
 * Loads the module of a feature whose packages a deployment installs only when it uses the
 * feature, so that `npm install parlor` stays small for SQLite and local files.
 *
 * When one of `packages` cannot be found, fails with one `ParlorConfigError` naming the
 * feature and the `npm install` line. Anything else (a package of theirs missing, a broken
 * install) is rethrown unchanged: that is not fixed by installing ours.
 */
export async function importOptional<T>(load: () => Promise<T>, { feature, packages }: OptionalFeature): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const missing = missingPackage(error);
    if (missing === undefined || !packages.some((name) => missing === name || missing.startsWith(`${name}/`))) throw error;
    throw new ParlorConfigError(`${feature} needs the package ${missing}, which is not installed: npm install ${packages.join(" ")}`, { cause: error });
  }
}

/**
 * The specifier Node could not resolve: ESM says "Cannot find package 'pg' imported from …"
 * (ERR_MODULE_NOT_FOUND), CommonJS "Cannot find module 'pg'" (MODULE_NOT_FOUND). The code
 * alone would also match a missing file inside an installed package.
 */
function missingPackage(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return undefined;
  return /Cannot find (?:package|module) '([^']+)'/.exec(error.message)?.[1];
}
