import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";

/**
 * Type-checks the app's project with its own TypeScript (`tsc --noEmit`), after each restart
 * in watch mode: tsx strips types without checking them, so a type error would otherwise
 * only show when something breaks. Prints the errors, or nothing when there are none; the
 * app runs either way. Skipped when the project has no tsconfig.json or no typescript.
 */
export async function checkTypes(appFile: string): Promise<void> {
  const appDir = dirname(resolve(appFile));
  const project = findUp(appDir, "tsconfig.json");
  const tsc = typescriptCompiler(appDir);
  if (project === null || tsc === null) return;
  const output = await new Promise<string | null>((done) =>
    execFile(
      process.execPath,
      [tsc, "--noEmit", "--pretty", String(process.stdout.isTTY === true), "-p", project],
      { cwd: appDir, maxBuffer: 8 << 20 },
      (error, stdout) => done(error ? stdout || error.message : null),
    ),
  );
  if (output !== null) process.stderr.write(`parlor: type errors (the app runs anyway):\n${output.trimEnd()}\n`);
}

function findUp(dir: string, name: string): string | null {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, name))) return join(current, name);
    if (dirname(current) === current) return null;
  }
}

function typescriptCompiler(appDir: string): string | null {
  try {
    return createRequire(join(appDir, "app.js")).resolve("typescript/bin/tsc");
  } catch {
    return null;
  }
}
