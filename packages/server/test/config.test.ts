import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defineApp, ParlorConfigError, resolveConfig } from "parlor";

const STRONG = "a-strong-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

describe("resolveConfig", () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), "parlor-config-"));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const resolve = (env: Record<string, string>, options = {}) => resolveConfig({ appName: "Chat", options: { dataDir, ...options }, env });

  it("applies the documented defaults", () => {
    const config = resolve({ PARLOR_AUTH_SECRET: STRONG });
    expect(config.port).toBe(8000);
    expect(config.publicOrigin).toBe("http://localhost:8000");
    expect(config.session).toEqual({ tokenTtl: 900, maxAge: 15 * 86400, idleTimeout: 7 * 86400, sameSite: "lax" });
    expect(config.loginRateLimit).toEqual({ max: 10, window: 300, slowdownAfter: 10, maxDelay: 5 });
    expect(config.database).toEqual({ dialect: "sqlite", file: join(dataDir, "parlor.db") });
    expect(Object.isFrozen(config) && Object.isFrozen(config.session)).toBe(true);
  });

  it("lets the environment override the app's options", () => {
    const config = resolve(
      { PARLOR_AUTH_SECRET: STRONG, PORT: "9001", PARLOR_SESSION_TOKEN_TTL: "60", PARLOR_TRUSTED_PROXIES: "10.0.0.1, 10.0.0.2" },
      { port: 7000, session: { tokenTtl: 120, idleTimeout: 3600 } },
    );
    expect(config.port).toBe(9001);
    expect(config.session.tokenTtl).toBe(60);
    expect(config.session.idleTimeout).toBe(3600); // the app's value survives the merge
    expect(config.trustedProxies).toEqual(["10.0.0.1", "10.0.0.2"]);
  });

  it("reads the abuse limits from their defaults and the environment", () => {
    const defaults = resolve({ PARLOR_AUTH_SECRET: STRONG });
    expect(defaults.chat).toMatchObject({ eventsPerSecond: 5, eventBurst: 20, maxSocketsPerSession: 10, maxSocketsPerUser: 30 });
    expect(defaults.realtime).toEqual({ handshakesPerMinute: 120, connectTimeout: 10 });
    expect(defaults.files).toMatchObject({ uploadsPerMinute: 30, maxUnattached: 50 });
    const config = resolve({
      PARLOR_AUTH_SECRET: STRONG,
      PARLOR_CHAT_EVENT_BURST: "5",
      PARLOR_CHAT_MAX_SOCKETS_PER_SESSION: "2",
      PARLOR_CHAT_MAX_SOCKETS_PER_USER: "4",
      PARLOR_REALTIME_HANDSHAKES_PER_MINUTE: "600",
      PARLOR_REALTIME_CONNECT_TIMEOUT: "5",
      PARLOR_FILES_UPLOADS_PER_MINUTE: "10",
      PARLOR_FILES_MAX_UNATTACHED: "20",
    });
    expect(config.chat).toMatchObject({ eventBurst: 5, maxSocketsPerSession: 2, maxSocketsPerUser: 4 });
    expect(config.realtime).toEqual({ handshakesPerMinute: 600, connectTimeout: 5 });
    expect(config.files).toMatchObject({ uploadsPerMinute: 10, maxUnattached: 20 });
    expect(() => resolve({ PARLOR_AUTH_SECRET: STRONG }, { realtime: { handshakesPerMinute: 0 } })).toThrow(ParlorConfigError);
  });

  it("merges nested groups setting by setting", () => {
    const config = resolve(
      { PARLOR_AUTH_SECRET: STRONG, PARLOR_S3_BUCKET: "from-env" },
      { files: { storage: "s3", s3: { region: "eu-west-3", prefix: "chat/" } } },
    );
    expect(config.files.s3).toMatchObject({ bucket: "from-env", region: "eu-west-3", prefix: "chat/" });
  });

  it("names the bad variable or option", () => {
    expect(() => resolve({ PORT: "eighty" })).toThrow(/PORT must be a whole number/);
    expect(() => resolve({ PARLOR_COOKIE_SAMESITE: "sometimes" })).toThrow(ParlorConfigError);
    expect(() => resolve({ PARLOR_DATABASE_URL: "mysql://x" })).toThrow(/PARLOR_DATABASE_URL/);
    expect(() => resolve({}, { unknownOption: 1 })).toThrow(ParlorConfigError);
  });

  describe("secrets", () => {
    it("refuses to start in production without a secret", () => {
      expect(() => resolve({ NODE_ENV: "production" })).toThrow(/PARLOR_AUTH_SECRET is not set.*`parlor create-secret`/);
    });

    it("warns in production when no public URL is set, and only then", () => {
      const missing = resolve({ NODE_ENV: "production", PARLOR_AUTH_SECRET: STRONG }).warnings.filter((w) => w.includes("PARLOR_PUBLIC_URL"));
      expect(missing).toEqual([expect.stringMatching(/^NODE_ENV=production without PARLOR_PUBLIC_URL: .*http:\/\/localhost:8000.*Set PARLOR_PUBLIC_URL/)]);
      const set = resolve({ NODE_ENV: "production", PARLOR_AUTH_SECRET: STRONG, PARLOR_PUBLIC_URL: "https://chat.example.com" });
      expect(set.warnings).toEqual([]);
      expect(resolve({ PARLOR_AUTH_SECRET: STRONG }).warnings).toEqual([]);
    });

    it("refuses a short or repetitive secret in production", () => {
      expect(() => resolve({ NODE_ENV: "production", PARLOR_AUTH_SECRET: "short" })).toThrow(/shorter than 32 bytes/);
      expect(() => resolve({ NODE_ENV: "production", PARLOR_AUTH_SECRET: "a".repeat(64) })).toThrow(/too few different/);
      expect(() => resolve({ NODE_ENV: "production", PARLOR_AUTH_SECRET: STRONG, PARLOR_AUTH_SECRET_PREVIOUS: "x" })).toThrow(/PARLOR_AUTH_SECRET_PREVIOUS/);
    });

    it("generates a development secret into the data folder once, readable by the owner only", () => {
      const first = resolve({});
      const file = join(dataDir, "auth-secret");
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o077).toBe(0);
      expect(first.secrets.current).toBe(readFileSync(file, "utf8").trim());
      expect(first.warnings.join("\n")).toMatch(/development secret/);
      expect(resolve({}).secrets.current).toBe(first.secrets.current);
    });
  });

  describe("cookies", () => {
    it("uses a Secure __Host- cookie on loopback and https", () => {
      for (const url of ["http://localhost:8000", "http://127.0.0.1:3000", "https://chat.example.com"]) {
        const config = resolve({ PARLOR_AUTH_SECRET: STRONG, PARLOR_PUBLIC_URL: url });
        expect(config.cookie.secure, url).toBe(true);
        expect(config.cookie.name, url).toMatch(/^__Host-parlor-chat-[0-9a-f]{8}$/);
      }
    });

    it("turns Secure off on plain http elsewhere, with a loud warning", () => {
      const config = resolve({ PARLOR_AUTH_SECRET: STRONG, PARLOR_PUBLIC_URL: "http://chat.internal:8000" });
      expect(config.cookie.secure).toBe(false);
      expect(config.cookie.name).toMatch(/^parlor-chat-/);
      expect(config.warnings.join("\n")).toMatch(/NOT marked Secure/);
    });

    it("gives two apps on one host (other port or path) different cookie names", () => {
      const names = ["http://localhost:8000", "http://localhost:8001", "https://example.com/a/", "https://example.com/b/"].map(
        (url) => resolve({ PARLOR_AUTH_SECRET: STRONG, PARLOR_PUBLIC_URL: url }).cookie.name,
      );
      expect(new Set(names).size).toBe(names.length);
    });

    it("forces Secure for SameSite=None", () => {
      expect(() => resolve({ PARLOR_AUTH_SECRET: STRONG, PARLOR_PUBLIC_URL: "http://chat.internal", PARLOR_COOKIE_SAMESITE: "none" })).toThrow(
        /sameSite 'none' needs a Secure cookie/,
      );
      expect(resolve({ PARLOR_AUTH_SECRET: STRONG, PARLOR_COOKIE_SAMESITE: "none" }).cookie.sameSite).toBe("none");
    });
  });
});

describe("defineApp", () => {
  const onMessage = () => undefined;

  it("refuses an app without any login method", () => {
    expect(() => defineApp({ name: "x", auth: {}, onMessage })).toThrow(/at least one login method/);
  });

  it("refuses a nameless app, a non-function callback and a missing onMessage", () => {
    expect(() => defineApp({ name: " ", auth: { password: () => null }, onMessage })).toThrow(ParlorConfigError);
    expect(() => defineApp({ name: "x", auth: { password: "yes" as never }, onMessage })).toThrow(/auth.password/);
    expect(() => defineApp({ name: "x", auth: { password: () => null } } as never)).toThrow(/onMessage/);
  });
});
