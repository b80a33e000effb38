import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, freePort, localPrebuilds, outsideEnv, packedTarballs, registerCleanup, TestClient, type PackedTarballs } from "@parlor/test-support";

// The path a new user takes, from the packed tarballs and nothing of this repository:
// `npm create parlor` (create-parlor run from its tarball by `npm exec`, as `npm create` does),
// `npm install`, `npm test` (the project's own: a type check and its test of a login and a chat
// exchange), and for echo `npm run dev` (serves, restarts on an edit). Parlor's packages
// resolve to the tarballs (`--tarballs`: `file:` dependencies and npm `overrides`), never the
// registry; everything else comes from the registry through the usual npm cache, shared by
// the three installs. better-sqlite3 is not compiled: see `localPrebuilds`.

const run = promisify(execFile);
const TEMPLATES = ["echo", "openai", "custom-frontend"] as const;

let tarballs: PackedTarballs;
let work: string;
let npmEnv: Record<string, string | undefined>;
let betterSqlite3Version: string;
beforeAll(() => {
  tarballs = packedTarballs();
  work = mkdtempSync(join(tmpdir(), "parlor-templates-"));
  registerCleanup(() => rmSync(work, { recursive: true, force: true }));
  const prebuilds = localPrebuilds();
  betterSqlite3Version = prebuilds.betterSqlite3Version;
  // A user's environment, not vitest's or an outer `npm test`'s (see outsideEnv).
  npmEnv = outsideEnv({
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    ...prebuilds.env,
  });
}, 120_000);

/** Runs a command in `cwd`, failing the test with its output when it fails. */
async function sh(cwd: string, command: string, args: string[]) {
  try {
    return await run(command, args, { cwd, env: npmEnv, maxBuffer: 64 << 20 });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${stdout}\n${stderr}`, { cause: error });
  }
}

/** `npm create parlor <name> -- --template <template>`, from create-parlor's tarball; then installs the project from the tarballs. */
async function createAndInstall(template: string): Promise<string> {
  const name = `my-${template}-app`;
  const args = ["create-parlor", name, "--template", template, "--tarballs", tarballs.dir];
  const created = await sh(work, "npm", ["exec", "--yes", `--package=${tarballs.byName["create-parlor"]}`, "--", ...args]);
  expect(created.stdout).toMatch(`Created a Parlor app (template ${template})`);
  const project = join(work, name);

  // The binary offered as a prebuild is of this better-sqlite3 version.
  const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8"));
  manifest.overrides["better-sqlite3"] = betterSqlite3Version;
  writeFileSync(join(project, "package.json"), JSON.stringify(manifest, null, 2));

  const started = Date.now();
  await sh(project, "npm", ["install", "--loglevel=error"]);
  console.log(`${template}: npm install took ${Math.round((Date.now() - started) / 1000)} s`);
  return project;
}

describe.each(TEMPLATES)("npm create parlor -- --template %s", (template) => {
  let project: string;
  beforeAll(async () => {
    project = await createAndInstall(template);
  }, 300_000);
  // Here rather than with the file's cleanups: removing an installed project takes a while on a busy machine.
  afterAll(() => rm(project, { recursive: true, force: true }), 120_000);

  it("installs Parlor from the tarballs, and its npm test passes", { timeout: 300_000 }, async () => {
    const lock = readFileSync(join(project, "package-lock.json"), "utf8");
    expect(lock).not.toMatch(/registry\.npmjs\.org\/(parlor|@parlor\/|create-parlor)/);

    const { stdout } = await sh(project, "npm", ["test"]);
    expect(stdout).toMatch(/# fail 0/);
    expect(stdout).toMatch(/# pass [1-9]/);
  });

  it.runIf(template === "echo")("npm run dev serves the app, and restarts it when app.ts changes", { timeout: 120_000 }, async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    // Its own process group, so that the whole tree (npm, sh, parlor, tsx, the app) is stopped.
    const dev = spawn("npm", ["run", "dev"], {
      cwd: project,
      env: { ...npmEnv, PORT: String(port), HOST: "127.0.0.1", PARLOR_LOG_FORMAT: "json" },
      detached: true,
    });
    registerCleanup(() => process.kill(-dev.pid!, "SIGTERM"));
    let output = "";
    dev.stdout.on("data", (chunk) => (output += chunk));
    dev.stderr.on("data", (chunk) => (output += chunk));
    const starts = () => output.split("Echo is ready at").length - 1;
    await eventually(`the first start; output:\n${output}`, () => starts() === 1, 60_000, 100);

    const user = new TestClient(origin, "");
    expect((await user.login("ada", "demo")).status).toBe(200);

    const app = join(project, "app.ts");
    writeFileSync(app, readFileSync(app, "utf8").replace("You said:", "You wrote:"));
    await eventually(`a restart; output:\n${output}`, () => starts() === 2, 60_000, 100);
    expect((await user.get("/auth/me")).status, "the session survives the restart").toBe(200);
  });
});
