import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { pgUrl, redisIsAvailable, redisTestUrl, registerCleanup } from "@parlor/test-support";

// `parlor doctor` as a deployer runs it: the built command (`npm test` builds first), an app
// file in a project of its own, and the environment the app would run with. PostgreSQL and
// Redis are the machine's own (skipped without them, failing under CI).

const BIN = fileURLToPath(new URL("../bin/parlor.js", import.meta.url));
const STRONG = "doctor-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const HTTPS = { NODE_ENV: "production", PARLOR_AUTH_SECRET: STRONG, PARLOR_PUBLIC_URL: "https://chat.example.com", PARLOR_TRUSTED_PROXIES: "127.0.0.1" };

let project: string;
let dataDir: string;
beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "parlor-doctor-"));
  registerCleanup(() => rmSync(project, { recursive: true, force: true }));
  symlinkSync(fileURLToPath(new URL("../../../node_modules", import.meta.url)), join(project, "node_modules"));
  writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module" }));
  dataDir = join(project, "data");
  const app = (auth: string) => `import { defineApp } from "parlor";
export default defineApp({ name: "Checked", auth: { ${auth} }, onMessage: async (message, chat) => chat.send(message.content) });
`;
  writeFileSync(join(project, "app.ts"), app("password: () => null"));
  writeFileSync(join(project, "header-app.ts"), app('header: (headers) => ({ identifier: String(headers["x-user"]) })'));
});

function doctor(env: Record<string, string>, app = "app.ts") {
  const result = spawnSync(process.execPath, [BIN, "doctor", app], {
    cwd: project,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PARLOR_DATA_DIR: dataDir, ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  // "fail  database  …" → { database: ["fail …"] }, in order
  const lines: Record<string, string[]> = {};
  for (const line of result.stdout.split("\n")) {
    const match = /^(ok|warn|fail) +(\S+(?:, \S+| \S+)?) {2,}(.*)$/.exec(line);
    if (match) (lines[match[2]!] ??= []).push(`${match[1]} ${match[3]}`);
  }
  return { ...result, lines };
}

// Each test starts the command once or twice (a Node process loading the app through tsx): a
// second on an idle machine, several on a busy one.
describe("parlor doctor", { timeout: 60_000 }, () => {
  it("in development on SQLite: only the missing secret is worth a warning, and nothing is written", () => {
    const result = doctor({});
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.lines.secret).toEqual([expect.stringMatching(/^warn PARLOR_AUTH_SECRET is not set: a development secret/)]);
    expect(result.lines.database).toEqual([`ok SQLite at ${join(dataDir, "parlor.db")} (from PARLOR_DATA_DIR) is writable`]);
    expect(result.lines["file storage"]).toEqual([`ok local folder ${join(dataDir, "files")} is writable`]);
    expect(result.lines.doctor).toEqual(["warn 0 failures, 1 warning"]);
    expect(existsSync(dataDir), "no database, folder or development secret created").toBe(false);
  });

  it("in production, fails a weak secret, a plain-http public URL and its cookie, and exits 1", () => {
    const result = doctor({ NODE_ENV: "production", PARLOR_AUTH_SECRET: "short", PARLOR_PUBLIC_URL: "http://chat.example.com" });
    expect(result.status).toBe(1);
    expect(result.lines.secret).toEqual(["fail PARLOR_AUTH_SECRET is shorter than 32 bytes: replace it with the output of `parlor create-secret`"]);
    expect(result.lines["public URL"]).toEqual([
      expect.stringMatching(/^fail PARLOR_PUBLIC_URL is http:\/\/chat\.example\.com\/, plain http: .*set PARLOR_PUBLIC_URL=https:/),
    ]);
    expect(result.lines["cookie, proxies"]![0]).toMatch(/^fail session cookie parlor-checked-[0-9a-f]+: HttpOnly, SameSite=lax, not Secure/);
  });

  it("in production, fails a missing secret and a missing public URL (which start-up only warns about)", () => {
    const result = doctor({ NODE_ENV: "production" });
    expect(result.status).toBe(1);
    expect(result.lines.secret).toEqual([expect.stringMatching(/^fail PARLOR_AUTH_SECRET is not set; production refuses to start without it/)]);
    expect(result.lines["public URL"]).toEqual([expect.stringMatching(/^fail PARLOR_PUBLIC_URL is not set: the app assumes http:\/\/localhost:8000/)]);
  });

  it("fails header login without trusted proxies: nobody could log in", () => {
    const result = doctor({ ...HTTPS, PARLOR_TRUSTED_PROXIES: "" }, "header-app.ts");
    expect(result.status).toBe(1);
    expect(result.lines["cookie, proxies"]).toContainEqual(
      expect.stringMatching(/^fail the app logs in by trusted header \(auth\.header\), but PARLOR_TRUSTED_PROXIES is empty/),
    );
    expect(doctor(HTTPS, "header-app.ts").lines["cookie, proxies"]).toContain("ok PARLOR_TRUSTED_PROXIES: 127.0.0.1");
  });

  it("fails an embedding whose site is plain http in production, naming the variable", () => {
    const result = doctor({ ...HTTPS, PARLOR_EMBED_SHOP_SECRET: STRONG, PARLOR_EMBED_SHOP_ORIGINS: "https://shop.example,http://old.shop.example" });
    expect(result.status).toBe(1);
    expect(result.lines.embeds).toEqual(["fail embedding shop: http://old.shop.example is plain http; list https origins only (PARLOR_EMBED_SHOP_ORIGINS)"]);
  });

  it("fails a data folder under a file, where neither SQLite nor uploads can go", () => {
    writeFileSync(join(project, "not-a-folder"), "");
    const result = doctor({ PARLOR_DATA_DIR: join(project, "not-a-folder", "data") });
    expect(result.status).toBe(1);
    expect(result.lines.database).toEqual([
      expect.stringMatching(/^fail SQLite at .*: .*not-a-folder is not a folder; set PARLOR_DATA_DIR to a writable folder$/),
    ]);
    expect(result.lines["file storage"]).toEqual([expect.stringMatching(/^fail local folder .*not-a-folder is not a folder/)]);
  });

  it("fails an unreachable PostgreSQL, naming the URL without its password and the variable", () => {
    const result = doctor({ ...HTTPS, PARLOR_DATABASE_URL: "postgres://parlor:s3cret-pw@127.0.0.1:1/chat" });
    expect(result.status).toBe(1);
    expect(result.lines.database).toEqual([
      expect.stringMatching(/^fail could not reach the database at postgres:\/\/parlor@127\.0\.0\.1:1\/chat \(password hidden\) .*Check PARLOR_DATABASE_URL/),
    ]);
    expect(result.stdout + result.stderr).not.toContain("s3cret-pw");
  });

  it("fails an unreachable Redis", () => {
    const result = doctor({ ...HTTPS, PARLOR_DATABASE_URL: "postgres://parlor@127.0.0.1:1/chat", PARLOR_REDIS_URL: "redis://:s3cret-pw@127.0.0.1:1" });
    expect(result.status).toBe(1);
    expect(result.lines.redis).toEqual([
      expect.stringMatching(/^fail could not reach Redis at redis:\/\/127\.0\.0\.1:1 \(password hidden\).*Check PARLOR_REDIS_URL/),
    ]);
    expect(result.stdout + result.stderr).not.toContain("s3cret-pw");
  });

  it.runIf(pgUrl)("passes a production setup on a real PostgreSQL, and fails a database that does not exist there", () => {
    const result = doctor({ ...HTTPS, PARLOR_DATABASE_URL: pgUrl! });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.lines.database).toEqual([expect.stringMatching(/^ok PostgreSQL at postgres:\/\/.* \(from PARLOR_DATABASE_URL\) accepts connections$/)]);
    expect(result.lines.doctor).toEqual(["ok no problems found"]);

    const missing = new URL(pgUrl!);
    missing.pathname = "/parlor_doctor_no_such_database";
    const refused = doctor({ ...HTTPS, PARLOR_DATABASE_URL: missing.href });
    expect(refused.status).toBe(1);
    expect(refused.lines.database).toEqual([
      expect.stringMatching(/^fail the database at .*parlor_doctor_no_such_database refused the connection: .*does not exist/),
    ]);
  });

  it("passes a real Redis with PostgreSQL (several nodes)", async ({ skip }) => {
    if (!pgUrl || !(await redisIsAvailable())) skip();
    const result = doctor({ ...HTTPS, PARLOR_DATABASE_URL: pgUrl!, PARLOR_REDIS_URL: redisTestUrl, PARLOR_FILES_STORAGE: "local" });
    expect(result.lines.redis).toEqual([`ok Redis at ${redisTestUrl} (PARLOR_REDIS_URL) answers`]);
    // Local files with several nodes: start-up's own warning is the deployer's to weigh; doctor passes.
    expect(result.status, result.stdout).toBe(0);
  });

  it("names a bad PARLOR_* value in one line, exit 2, as parlor run does", () => {
    const result = doctor({ PARLOR_COOKIE_SAMESITE: "sideways" });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^parlor: Invalid configuration: PARLOR_COOKIE_SAMESITE \(session\.sameSite\)/);
  });

  it("refuses a missing app file in one line, exit 2", () => {
    const result = doctor({}, "nowhere.ts");
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("parlor: nowhere.ts: no such file (run it from the folder of your app, or give its path)\n");
  });
});
