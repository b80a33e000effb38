#!/usr/bin/env node
// Packs every published package into dist-packages/, in dependency order, from the current
// build (`npm run pack` builds first). The tarballs are what a user would install: a test
// installs them into an empty folder and runs an app from there, so they are proven before any
// publishing. Each package.json is checked first: the metadata npm shows (license, repository,
// engines, files, exports), one version for all, the root LICENSE copied beside it, and an
// internal dependency naming the exact version packed beside it, never `*`, `workspace:` or
// `file:`, which only resolve inside this repository.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { publishedPackages as packages } from "./published-packages.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// The folder is an argument so the install test can pack into a temporary folder of its own.
const out = resolve(process.argv[2] ?? join(root, "dist-packages"));

const license = readFileSync(join(root, "LICENSE"), "utf8");

const manifests = new Map(
  packages.map((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8"));
    return [manifest.name, { dir, manifest }];
  }),
);

const problems = [];
// Released together: create-parlor writes its own version into new projects as Parlor's.
const { version } = manifests.get("parlor").manifest;
for (const { dir, manifest } of manifests.values()) {
  if (manifest.private) problems.push(`packages/${dir} is private`);
  if (manifest.version !== version) problems.push(`packages/${dir} is version ${manifest.version}, not ${version} like parlor`);
  for (const field of ["description", "license", "repository", "engines", "files", "sideEffects", "exports"]) {
    if (manifest[field] === undefined) problems.push(`packages/${dir}: package.json has no "${field}"`);
  }
  if (manifest.repository?.directory !== `packages/${dir}`) problems.push(`packages/${dir}: repository.directory is not "packages/${dir}"`);
  if (!manifest.files?.includes("LICENSE")) problems.push(`packages/${dir}: "files" leaves out LICENSE`);
  if (!existsSync(join(root, "packages", dir, "LICENSE")) || readFileSync(join(root, "packages", dir, "LICENSE"), "utf8") !== license) {
    problems.push(`packages/${dir}/LICENSE is missing or differs from the root LICENSE (cp LICENSE packages/${dir}/)`);
  }
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      const internal = manifests.get(name);
      if (internal && range !== internal.manifest.version && range !== `^${internal.manifest.version}`) {
        problems.push(`packages/${dir}: ${field}.${name} is "${range}", not the packed version ${internal.manifest.version}`);
      }
      if (/^(workspace:|file:|link:|\*$)/.test(range)) problems.push(`packages/${dir}: ${field}.${name} is "${range}", which only resolves in this repository`);
    }
  }
}
if (problems.length > 0) {
  console.error(`pack: ${problems.join("\npack: ")}`);
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const { dir } of manifests.values()) {
  // --ignore-scripts: the build ran before; nothing else should run while packing.
  execFileSync("npm", ["pack", "--ignore-scripts", "--loglevel=warn", "--pack-destination", out], {
    cwd: join(root, "packages", dir),
    stdio: ["ignore", "ignore", "inherit"],
  });
}
console.log(`pack: ${readdirSync(out).length} tarballs in ${out}`);
