import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { UsageError } from "./usage-error.js";

/** Parlor's published packages: what a project may depend on, and what depends on what among them. */
const PARLOR_PACKAGES = ["parlor", "@parlor/cli", "@parlor/protocol", "@parlor/client", "@parlor/react", "@parlor/web", "@parlor/widget", "@parlor/llm"];

/** The file `npm pack` writes for a package: `@parlor/cli` 0.1.0 → `parlor-cli-0.1.0.tgz`. */
function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`;
}

/**
 * The tarballs of Parlor's packages that `npm run pack` wrote into `folder`, by package name.
 * Checked before anything is written: a folder without `parlor`'s is a usage error.
 */
export function findTarballs(folder: string, version: string): Map<string, string> {
  const dir = resolve(folder);
  const tarballs = new Map(PARLOR_PACKAGES.map((name) => [name, join(dir, tarballName(name, version))] as const).filter(([, file]) => existsSync(file)));
  if (!tarballs.has("parlor"))
    throw new UsageError(`${dir} has no ${tarballName("parlor", version)}: run npm run pack in the Parlor repository, and give its dist-packages folder`);
  return tarballs;
}

/**
 * Points the project's Parlor dependencies at `tarballs` (`file:` paths, and npm `overrides`
 * for the Parlor packages they depend on among themselves), for installing before the packages
 * are published, or to try a change.
 */
export function useTarballs(project: string, tarballs: Map<string, string>): void {
  const file = join(project, "package.json");
  const manifest = JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, string> | undefined>;
  for (const field of ["dependencies", "devDependencies"]) {
    for (const name of Object.keys(manifest[field] ?? {})) {
      const tarball = tarballs.get(name);
      if (tarball) manifest[field]![name] = `file:${tarball}`;
    }
  }
  manifest.overrides = Object.fromEntries([...tarballs].map(([name, tarball]) => [name, `file:${tarball}`]));
  writeFileSync(file, JSON.stringify(manifest, null, 2) + "\n");
}
