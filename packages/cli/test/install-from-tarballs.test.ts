import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { eventually, freePort, localPrebuilds, outsideEnv, packedTarballs, registerCleanup, TestClient } from "@parlor/test-support";

// The published packages, proven as a user gets them: packed into tarballs, installed into an
// empty folder far from this repository (no workspace, no symlink back here), then an app file
// served by the installed `parlor` command. A file left out of a package's `files`, an internal
// dependency that only resolves in the workspace, or a missing `exports` entry fails it.
// Slow (an `npm install` from the registry, under a minute with a warm npm cache), so it is one
// test.

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PACKAGES = ["parlor", "@parlor/cli", "@parlor/protocol", "@parlor/client", "@parlor/react", "@parlor/web", "@parlor/widget", "@parlor/llm"];
const PASSWORD = "tarball-password";

const APP = `import { defineApp } from "parlor";
export default defineApp({
  name: "Installed",
  auth: { password: ({ username, password }) => (password === ${JSON.stringify(PASSWORD)} ? { identifier: username } : null) },
  async onMessage(message, chat) {
    const reply = chat.reply();
    await reply.stream(message.content);
    await reply.end();
  },
});
`;

// Type-checked with the installed packages' own declarations: \`exports\` must point at types.
const TYPES = `import { defineApp, type AppDefinition } from "parlor";
import { ParlorClient } from "@parlor/client";
import type { ErrorBody } from "@parlor/protocol";
export const app: AppDefinition = defineApp({ name: "Typed", auth: { password: () => null }, onMessage: async () => {} });
export const client: typeof ParlorClient = ParlorClient;
export const body: ErrorBody = { error: { code: "not_found", message: "no" } };
`;

it("installs every package from its tarball into an empty folder and serves an app from there", { timeout: 600_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), "parlor-install-"));
  registerCleanup(() => rmSync(work, { recursive: true, force: true }));
  const project = join(work, "project");
  mkdirSync(project);

  // The build is already there (`npm test` builds first); `npm run pack` would build again and
  // empty packages/web/dist under the browser tests running beside this one.
  const { byName } = packedTarballs();
  // create-parlor is packed too; templates.test.ts installs what it creates.
  expect(Object.keys(byName).sort()).toEqual([...PACKAGES, "create-parlor"].sort());
  const files = PACKAGES.map((name) => byName[name]!);

  // better-sqlite3 installs its native addon and esbuild (under tsx) checks its binary in
  // install scripts, which npm wants allowed by name. The addon is this repository's own, offered
  // as a local prebuild (no compiling, no download from GitHub), so its version is pinned.
  const prebuilds = localPrebuilds();
  const manifest = {
    name: "installed-app",
    private: true,
    type: "module",
    allowScripts: { "better-sqlite3": true, esbuild: true },
    overrides: { "better-sqlite3": prebuilds.betterSqlite3Version },
  };
  writeFileSync(join(project, "package.json"), JSON.stringify(manifest, null, 2));
  const started = Date.now();
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...files], {
    cwd: project,
    stdio: "pipe",
    env: outsideEnv(prebuilds.env),
  });
  console.log(`npm install from the tarballs took ${Math.round((Date.now() - started) / 1000)} s`);

  for (const name of PACKAGES) {
    // Installed from the tarball (a folder in the project), not linked to this repository.
    const installed = realpathSync(join(project, "node_modules", name));
    expect(installed.startsWith(realpathSync(project))).toBe(true);
    const packed = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
    for (const [dependency, range] of Object.entries({ ...packed.dependencies, ...packed.peerDependencies })) {
      expect(range, `${name} → ${dependency}`).not.toMatch(/^(workspace:|file:|link:|\*$)/);
    }
  }

  writeFileSync(join(project, "types.ts"), TYPES);
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { strict: true, module: "nodenext", noEmit: true, skipLibCheck: true }, files: ["types.ts"] }),
  );
  execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", project], { cwd: project, stdio: "pipe" });

  writeFileSync(join(project, "app.ts"), APP);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn("npx", ["--no-install", "parlor", "run", "app.ts"], {
    cwd: project,
    env: outsideEnv({ PORT: String(port), HOST: "127.0.0.1", PARLOR_DATA_DIR: join(work, "data"), PARLOR_LOG_LEVEL: "warn" }),
    // Its own process group: npx runs parlor as a child, which a signal to npx alone left running.
    detached: true,
  });
  registerCleanup(() => process.kill(-child.pid!, "SIGTERM"));
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));

  await eventually(
    `/healthz of the installed app; output:\n${output}`,
    () =>
      fetch(`${origin}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
    60_000,
    200,
  );

  const user = new TestClient(origin, "");
  expect((await user.login("ada", "wrong")).status).toBe(401);
  expect((await user.login("ada", PASSWORD)).status).toBe(200);
  const me = await user.get("/auth/me");
  expect(me.status).toBe(200);
  expect(me.body.user.identifier).toBe("ada");

  // The web UI from @parlor/web, and one of the assets its page names.
  const page = await user.get("/");
  expect(page.status).toBe(200);
  expect(page.headers.get("content-type")).toMatch(/^text\/html/);
  const script = /src="(?:\.\/)?(assets\/[^"]+\.js)"/.exec(page.body as string)?.[1];
  expect(script, page.body as string).toBeDefined();
  const asset = await user.get(`/${script}`);
  expect(asset.status).toBe(200);
  expect(asset.headers.get("content-type")).toMatch(/javascript/);
  expect(asset.bytes.length).toBeGreaterThan(1000);

  // The widget's loader from @parlor/widget.
  const widget = await user.get("/widget.js");
  expect(widget.status).toBe(200);
  expect(widget.headers.get("content-type")).toMatch(/javascript/);
  expect(widget.body as string).toMatch(/Parlor\.mount/);

  // No error on the way, and the SQLite checkpoints' worker thread (a file of its own in the
  // package) started: were it missing, the server would say so and checkpoint on its own thread.
  expect(output, output).not.toMatch(/"level":(50|60)|checkpoints are back/);
});
