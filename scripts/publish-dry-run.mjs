#!/usr/bin/env node
// `npm publish --dry-run` for every published package, from the current build (CI runs it after
// the tests): fails when npm warns about anything, such as a field it had to correct (a bin
// path, a repository URL) or a missing file. Nothing is published. npm asks the registry who is
// logged in, and only warns that nobody is (without network it still passes, after about a
// minute of retries), so that one warning is expected.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { publishedPackages as packages } from "./published-packages.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const expected = /^npm warn publish This command requires you to be logged in/;

let failed = false;
for (const dir of packages) {
  const result = spawnSync("npm", ["publish", "--dry-run", "--ignore-scripts"], { cwd: join(root, "packages", dir), encoding: "utf8" });
  const warnings = result.stderr.split("\n").filter((line) => /^npm (warn|error)/i.test(line) && !expected.test(line));
  if (result.status !== 0 || warnings.length > 0) {
    failed = true;
    console.error(`publish-dry-run: packages/${dir} (exit ${result.status}):\n  ${warnings.join("\n  ") || result.stderr}`);
  } else {
    console.log(`publish-dry-run: packages/${dir} ok (${/\+ (\S+)/.exec(result.stdout)?.[1] ?? "?"})`);
  }
}
process.exit(failed ? 1 : 0);
