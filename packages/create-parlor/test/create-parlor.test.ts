import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { registerCleanup } from "@parlor/test-support";

// create-parlor as npm runs it (the build; `npm test` builds first), with stdin not a terminal,
// so it asks nothing. What the generated projects do when installed is templates.test.ts.
const BIN = fileURLToPath(new URL("../bin/create-parlor.js", import.meta.url));
const TEMPLATES = fileURLToPath(new URL("../templates/", import.meta.url));
const { version } = JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8")) as { version: string };

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "create-parlor-"));
  registerCleanup(() => rmSync(cwd, { recursive: true, force: true }));
});
const create = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 20_000 });
const read = (...path: string[]) => readFileSync(join(cwd, ...path), "utf8");

describe("create-parlor", () => {
  it.each([
    ["echo", []],
    ["openai", ["test/fake-openai.ts"]],
    ["custom-frontend", ["vite.config.ts", "web/App.tsx", "web/index.html", "web/main.tsx", "web/style.css", "web/tsconfig.json"]],
  ])("writes a %s project with its scripts, a test and Parlor's own version", (template, extra) => {
    const result = create("My App", "--template", template);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/cd "My App"\n {2}npm install\n {2}npm run dev/);
    const files = readdirSync(join(cwd, "My App"), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(join(cwd, "My App").length + 1));
    expect(files.sort()).toEqual(
      [".env.example", ".gitignore", "README.md", "app.ts", "package.json", "test/app.test.ts", "test/start-app.ts", "tsconfig.json", ...extra].sort(),
    );
    const manifest = JSON.parse(read("My App", "package.json"));
    expect(manifest.name).toBe("my-app");
    expect(manifest.scripts).toMatchObject({ dev: expect.stringContaining("parlor run --watch app.ts"), start: "parlor run app.ts", test: expect.any(String) });
    expect(manifest.dependencies).toMatchObject({ parlor: `^${version}`, "@parlor/cli": `^${version}` });
    const everything = files.map((file) => read("My App", file)).join("\n");
    expect(everything).not.toMatch(/\{\{\w+\}\}/);
    expect(read("My App", "README.md")).toMatch(/^# my-app\n/);
  });

  it.each(["echo", "openai", "custom-frontend"])("lists in .env.example every variable the %s template's app reads", (template) => {
    expect(create("app", "-t", template).status).toBe(0);
    const read_ = [...read("app", "app.ts").matchAll(/process\.env\.(\w+)/g)].map((m) => m[1]);
    const listed = [...read("app", ".env.example").matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(read_.length).toBeGreaterThan(0);
    expect(listed).toEqual(expect.arrayContaining(read_.filter((name) => name !== "NODE_ENV").concat("NODE_ENV", "PARLOR_PUBLIC_URL", "PARLOR_AUTH_SECRET")));
  });

  it("asks nothing without a terminal: the folder defaults to my-parlor-app and the template to echo", () => {
    const result = create();
    expect(result.status, result.stderr).toBe(0);
    expect(read("my-parlor-app", "app.ts")).toBe(readFileSync(join(TEMPLATES, "echo/app.ts"), "utf8"));
  });

  it("refuses a folder that is not empty in one line, exit code 2, and writes nothing", () => {
    mkdirSync(join(cwd, "taken"));
    writeFileSync(join(cwd, "taken", "notes.txt"), "mine");
    const result = create("taken", "--template", "echo");
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`create-parlor: ${join(cwd, "taken")} is not empty: choose a new folder, or empty this one\n`);
    expect(readdirSync(join(cwd, "taken"))).toEqual(["notes.txt"]);
  });

  it("refuses an unknown template and a misspelt option in one line each, exit code 2, and writes nothing", () => {
    const unknown = create("app", "--template", "vue");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe('create-parlor: unknown template "vue": choose echo, openai or custom-frontend\n');
    const misspelt = create("app", "--tempalte", "echo");
    expect(misspelt.status).toBe(2);
    expect(misspelt.stderr).toBe("create-parlor: Unknown option '--tempalte' (see create-parlor --help)\n");
    expect(existsSync(join(cwd, "app"))).toBe(false);
  });

  it("prints its help and version", () => {
    const help = create("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm create parlor@latest[\s\S]*echo[\s\S]*openai[\s\S]*custom-frontend/);
    expect(create("--version").stdout).toBe(`${version}\n`);
  });
});
