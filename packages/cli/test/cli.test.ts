import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { freePort } from "@parlor/test-support";

/** The `parlor` command as npm links it (it loads the build; `npm test` builds first). */
const BIN = fileURLToPath(new URL("../bin/parlor.js", import.meta.url));
const DEMO = fileURLToPath(new URL("../../../examples/demo/app.ts", import.meta.url));
const STRONG_SECRET = "x".repeat(20) + "0123456789abcdef";

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "parlor-cli-"));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const baseEnv = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, PARLOR_DATA_DIR: dataDir, PARLOR_LOG_LEVEL: "warn" });
const parlor = (args: string[], env: Record<string, string | undefined> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { env: { ...baseEnv(), ...env }, encoding: "utf8", timeout: 30_000 });

describe("parlor create-secret", () => {
  it("prints a fresh 32-byte base64url secret each time", () => {
    const first = parlor(["create-secret"]);
    const second = parlor(["create-secret"]);
    expect(first.status).toBe(0);
    expect(first.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.stdout.trim()).not.toBe(first.stdout.trim());
  });
});

describe("parlor migrate", () => {
  it("creates the schema in the data dir's SQLite file, then reports it up to date", () => {
    const first = parlor(["migrate"]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Applied 0001-users-and-sessions/);
    const db = new Database(join(dataDir, "parlor.db"), { readonly: true });
    const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>;
    db.close();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["users", "sessions", "parlor_migrations"]));
    expect(parlor(["migrate"]).stdout).toMatch(/up to date/);
  });

  it("on PostgreSQL without pg installed, says to install it and exits 2", () => {
    // pg is an optional peer dependency of parlor; this repository has it, so it is hidden.
    const hide = fileURLToPath(new URL("../../server/test/fixtures/hide-packages.mjs", import.meta.url));
    const result = parlor(["migrate"], {
      PARLOR_DATABASE_URL: "postgres://parlor@127.0.0.1:1/chat",
      NODE_OPTIONS: `--import=${hide}`,
      PARLOR_TEST_HIDDEN_PACKAGES: "pg",
    });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toBe("parlor: PostgreSQL (a postgres:// PARLOR_DATABASE_URL) needs the package pg, which is not installed: npm install pg\n");
  });
});

describe("parlor run", () => {
  let child: ReturnType<typeof spawn> | undefined;
  afterEach(() => child?.kill("SIGTERM"));

  it("serves the demo app from its TypeScript file, and the demo password logs in", async () => {
    const port = await freePort();
    child = spawn(process.execPath, [BIN, "run", DEMO], { env: { ...baseEnv(), PORT: String(port), HOST: "127.0.0.1" } });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    const origin = `http://127.0.0.1:${port}`;
    await waitFor(
      () => fetch(`${origin}/healthz`).then((r) => r.ok),
      () => output,
    );
    expect(output).toMatch(/password "demo"/);

    const login = (username: string, password: string) =>
      fetch(`${origin}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", origin },
        body: JSON.stringify({ username, password }),
      });
    expect((await login("demo", "demo")).status).toBe(200);
    expect((await login("anyone-else_2", "demo")).status).toBe(200);
    expect((await login("demo", "wrong")).status).toBe(401);
    expect((await login("not a valid name!", "demo")).status).toBe(401);
  });

  it("in production without PARLOR_PUBLIC_URL, starts but logs one warning saying to set it", async () => {
    const port = await freePort();
    child = spawn(process.execPath, [BIN, "run", DEMO], {
      env: {
        ...baseEnv(),
        PORT: String(port),
        HOST: "127.0.0.1",
        NODE_ENV: "production",
        PARLOR_AUTH_SECRET: STRONG_SECRET,
        PARLOR_DEMO_PASSWORD: "a-demo-password",
      },
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    await waitFor(
      () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok),
      () => output,
    );
    const warnings = output
      .split("\n")
      .filter((line) => line.includes("PARLOR_PUBLIC_URL"))
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(warnings).toEqual([
      { ...warnings[0], level: 40, msg: expect.stringMatching(/^NODE_ENV=production without PARLOR_PUBLIC_URL: .* Set PARLOR_PUBLIC_URL/) },
    ]);
  });

  it("refuses to start the demo in production without PARLOR_DEMO_PASSWORD", () => {
    const result = parlor(["run", DEMO], { NODE_ENV: "production", PARLOR_AUTH_SECRET: STRONG_SECRET });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/refuses to start in production without PARLOR_DEMO_PASSWORD/);
  });

  it("refuses to start in production without a secret, with a clear message and exit code 2", () => {
    const result = parlor(["run", DEMO], { NODE_ENV: "production", PARLOR_DEMO_PASSWORD: "a-demo-password" });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/parlor: PARLOR_AUTH_SECRET is not set/);
  });

  it("explains when the file does not export an app", () => {
    const file = join(dataDir, "not-an-app.ts");
    writeFileSync(file, "export default 42;\n");
    const result = parlor(["run", file]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/must `export default defineApp/);
  });

  it("refuses a missing app file in one line, exit code 2", () => {
    const result = parlor(["run", join(dataDir, "nowhere.ts")]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`parlor: ${join(dataDir, "nowhere.ts")}: no such file (run it from the folder of your app, or give its path)\n`);
  });

  it("names the environment variable of a bad setting, in one line", () => {
    const result = parlor(["run", DEMO], { PARLOR_COOKIE_SAMESITE: "sideways" });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^parlor: Invalid configuration: PARLOR_COOKIE_SAMESITE \(session\.sameSite\): .*"lax"\|"strict"\|"none"\n$/);
    expect(parlor(["run", DEMO], { PORT: "eighty" }).stderr).toBe('parlor: PORT must be a whole number, got "eighty"\n');
  });

  it("refuses an unknown option, saying where the help is", () => {
    const result = parlor(["run", "--wacth", DEMO]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("parlor: Unknown option '--wacth' (see parlor run --help)\n");
  });
});

describe("parlor help", () => {
  // Nine runs of the command: a few seconds each on a busy machine.
  it("lists the commands, and prints each command's help with --help or help <command>", { timeout: 60_000 }, () => {
    const usage = parlor(["--help"]);
    expect(usage.status).toBe(0);
    expect(usage.stdout).toMatch(/run +serve an app[\s\S]*doctor +check[\s\S]*create-secret[\s\S]*migrate/);
    for (const command of ["run", "doctor", "create-secret", "migrate"]) {
      const viaFlag = parlor([command, "--help"]);
      expect(viaFlag.status).toBe(0);
      expect(viaFlag.stdout).toMatch(new RegExp(`^Usage: parlor ${command}`));
      expect(parlor(["help", command]).stdout).toBe(viaFlag.stdout);
    }
  });

  it("prints the CLI's version", () => {
    const { version } = JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8")) as { version: string };
    expect(parlor(["--version"]).stdout).toBe(`${version}\n`);
  });

  it("prints usage for an unknown command, exit code 2", () => {
    const result = parlor(["fly"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^parlor: unknown command "fly"\n\nUsage: parlor <command>[\s\S]*run +serve an app/);
    expect(parlor(["help", "fly"]).status).toBe(2);
  });
});

describe("parlor run --watch", () => {
  let child: ReturnType<typeof spawn> | undefined;
  afterEach(() => child?.kill("SIGTERM"));

  it("restarts the app when a file it imports changes, keeps the session, and prints type errors", async () => {
    // A project of its own, outside the repository, that finds parlor and typescript as an installed app would.
    const project = mkdtempSync(join(tmpdir(), "parlor-watch-"));
    onTestFinished(() => rmSync(project, { recursive: true, force: true }));
    symlinkSync(fileURLToPath(new URL("../../../node_modules", import.meta.url)), join(project, "node_modules"));
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, module: "nodenext", skipLibCheck: true, noEmit: true } }));
    writeFileSync(join(project, "greeting.ts"), 'export const greeting: string = "one";\n');
    writeFileSync(
      join(project, "app.ts"),
      `import { defineApp } from "parlor";
import { greeting } from "./greeting.js";
export default defineApp({
  name: "Watched",
  auth: { password: async ({ username }) => ({ identifier: username }) },
  onMessage: async (message, chat) => chat.send(greeting),
});
`,
    );
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [BIN, "run", "--watch", "app.ts"], {
      cwd: project,
      env: { ...baseEnv(), PORT: String(port), HOST: "127.0.0.1", PARLOR_LOG_LEVEL: "info", PARLOR_LOG_FORMAT: "json" },
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const starts = () => output.split("Watched is ready at").length - 1;
    await waitFor(
      async () => starts() === 1,
      () => output,
      60_000,
    );

    const login = await fetch(`${origin}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin },
      body: JSON.stringify({ username: "ada", password: "any" }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;

    writeFileSync(join(project, "greeting.ts"), 'export const greeting: number = "two";\n');
    await waitFor(
      async () => starts() === 2,
      () => output,
      60_000,
    );
    const me = await fetch(`${origin}/auth/me`, { headers: { cookie } });
    expect(me.status, "the session survives the restart").toBe(200);
    await waitFor(
      async () => /parlor: type errors[\s\S]*greeting\.ts[\s\S]*not assignable to type 'number'/.test(output),
      () => output,
      60_000,
    );

    const exited = new Promise((resolve) => child!.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
    await waitFor(
      async () =>
        !(await fetch(`${origin}/healthz`).then(
          () => true,
          () => false,
        )),
      () => output,
    );
  }, 240_000);
});

async function waitFor(check: () => Promise<boolean>, context: () => string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting; output:\n${context()}`);
}
