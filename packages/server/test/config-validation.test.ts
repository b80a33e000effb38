import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ParlorConfigError, resolveConfig } from "parlor";

const STRONG = "a-strong-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

/**
 * Every option is checked inside `resolveConfig`, before the server waits for a database or
 * writes anything: a mistake in OAuth providers, trusted proxies or file storage is reported by
 * the same call that reports a bad port.
 */
describe("resolveConfig checks every option", () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), "parlor-config-"));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const resolve = (env: Record<string, string>, rest: Partial<Parameters<typeof resolveConfig>[0]> = {}) =>
    resolveConfig({ appName: "Chat", options: { dataDir }, env: { PARLOR_AUTH_SECRET: STRONG, ...env }, ...rest });

  it("refuses a trusted proxy that is not an address or range, naming trustedProxies", () => {
    expect(() => resolve({ PARLOR_TRUSTED_PROXIES: "10.0.0.1, not-an-ip" })).toThrow(ParlorConfigError);
    expect(() => resolve({ PARLOR_TRUSTED_PROXIES: "10.0.0.1, not-an-ip" })).toThrow(/^trustedProxies: .*not-an-ip/);
    expect(() => resolve({}, { options: { dataDir, trustedProxies: ["10.0.0.0/33"] } })).toThrow(/trustedProxies/);
    expect(resolve({ PARLOR_TRUSTED_PROXIES: "loopback, 10.0.0.0/8" }).trustedProxies).toEqual(["loopback", "10.0.0.0/8"]);
  });

  it("resolves the OAuth providers, the app's and the environment's, into the configuration", () => {
    const config = resolve(
      { PARLOR_OAUTH_GITHUB_CLIENT_ID: "gh", PARLOR_OAUTH_CORP_CLIENT_ID: "kc", PARLOR_OAUTH_CORP_ISSUER: "https://sso.example.com/realms/staff" },
      { auth: { oauth: { providers: [{ type: "google", clientId: "g" }] } } },
    );
    expect(config.oauthProviders.map((provider) => [provider.id, provider.type])).toEqual([
      ["google", "google"],
      ["github", "github"],
      ["corp", "oidc"],
    ]);
    expect(Object.isFrozen(config.oauthProviders)).toBe(true);
  });

  it.each([
    [{ PARLOR_OAUTH_OKTA_CLIENT_ID: "x" }, {}, /needs its issuer URL .*PARLOR_OAUTH_OKTA_ISSUER/],
    [{ PARLOR_OAUTH_X_CLIENT_ID: "x", PARLOR_OAUTH_X_ISSUER: "http://id.example.com" }, {}, /must be https/],
    [{ PARLOR_OAUTH_CORP_ISSUER: "https://id.example.com" }, {}, /without PARLOR_OAUTH_CORP_CLIENT_ID/],
    [{}, { auth: { oauth: { providers: [{ type: "github" as const }] } } }, /needs a client id: set PARLOR_OAUTH_GITHUB_CLIENT_ID/],
    [{}, { auth: { oauth: {} } }, /auth\.oauth is the only login method but no provider is configured/],
  ])("refuses a bad OAuth provider (%o) before anything is written", (env, rest, message) => {
    expect(() => resolve(env, { ...rest, env: { ...env } })).toThrow(ParlorConfigError);
    expect(() => resolve(env, rest)).toThrow(message);
    // Refused before the development secret is generated under the data folder.
    expect(existsSync(join(dataDir, "auth-secret"))).toBe(false);
  });

  it("refuses a cookie name with a __Host-/__Secure- prefix that the browser would drop on plain http", () => {
    const plainHttp = { PARLOR_PUBLIC_URL: "http://chat.internal:8000" };
    expect(() => resolve({ ...plainHttp, PARLOR_COOKIE_NAME: "__Host-chat" })).toThrow(/session\.cookieName \(PARLOR_COOKIE_NAME\)/);
    expect(() => resolve({ ...plainHttp, PARLOR_COOKIE_NAME: "__secure-chat" })).toThrow(ParlorConfigError);
    expect(resolve({ ...plainHttp, PARLOR_COOKIE_NAME: "chat" }).cookie.name).toBe("chat");
  });

  it("refuses Redis (several nodes) on SQLite, warns about local files with it, and derives a prefix per app", () => {
    const pg = { PARLOR_DATABASE_URL: "postgres://parlor@db.internal/parlor" };
    expect(() => resolve({ PARLOR_REDIS_URL: "redis://127.0.0.1:6379" })).toThrow(ParlorConfigError);
    expect(() => resolve({ PARLOR_REDIS_URL: "redis://127.0.0.1:6379" })).toThrow(/several nodes need PostgreSQL: set PARLOR_DATABASE_URL/);
    expect(() => resolve({ PARLOR_REDIS_URL: "http://127.0.0.1:6379", ...pg })).toThrow(/PARLOR_REDIS_URL/);
    expect(() => resolve({ PARLOR_REDIS_URL: "redis://127.0.0.1", PARLOR_REDIS_PREFIX: "has space", ...pg })).toThrow(/PARLOR_REDIS_PREFIX/);

    expect(resolve({}).redis).toBeNull();
    const local = resolve({ PARLOR_REDIS_URL: "redis://127.0.0.1:6379", ...pg });
    expect(local.redis).toEqual({ url: "redis://127.0.0.1:6379", prefix: expect.stringMatching(/^parlor:[\w-]{12}:$/), startupTimeout: 30 });
    expect(local.warnings.join("\n")).toMatch(/local file storage: every node must see the same files folder/);
    const s3 = resolve({
      PARLOR_REDIS_URL: "rediss://:pw@cache:6380/2",
      PARLOR_FILES_STORAGE: "s3",
      PARLOR_S3_BUCKET: "b",
      PARLOR_REDIS_PREFIX: "chat:",
      ...pg,
    });
    expect(s3.redis?.prefix).toBe("chat:");
    expect(s3.warnings.join("\n")).not.toMatch(/files folder/);
    // Two apps on one Redis get different prefixes; the nodes of one app the same.
    const other = resolveConfig({ appName: "Other", options: { dataDir }, env: { PARLOR_AUTH_SECRET: STRONG, PARLOR_REDIS_URL: "redis://127.0.0.1", ...pg } });
    expect(other.redis?.prefix).not.toBe(local.redis?.prefix);
    expect(resolve({ PARLOR_REDIS_URL: "redis://other-host", ...pg }).redis?.prefix).toBe(local.redis?.prefix);
  });

  it("refuses S3 storage without a bucket, naming the variable", () => {
    expect(() => resolve({ PARLOR_FILES_STORAGE: "s3" })).toThrow(/files\.storage 's3' needs a bucket \(PARLOR_S3_BUCKET\)/);
  });
});
