import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defineApp, ParlorConfigError, resolveConfig, type ServerOptions } from "parlor";

const STRONG = "a-strong-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const EMBED_SECRET = "embed-secret-0123456789-abcdefghijklmnop";

describe("embeddings in the configuration", () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), "parlor-config-"));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const resolve = (env: Record<string, string>, options: ServerOptions = {}, embeds?: Parameters<typeof resolveConfig>[0]["embeds"]) =>
    resolveConfig({ appName: "Chat", options: { dataDir, ...options }, env: { PARLOR_AUTH_SECRET: STRONG, ...env }, embeds });

  it("reads PARLOR_EMBED_<ID>_SECRET and _ORIGINS, the id lower-cased with _ read as -", () => {
    const config = resolve({ PARLOR_EMBED_MY_SHOP_SECRET: EMBED_SECRET, PARLOR_EMBED_MY_SHOP_ORIGINS: "https://shop.example, http://localhost:5173" });
    expect(config.embeds).toEqual([{ id: "my-shop", secret: EMBED_SECRET, origins: ["https://shop.example", "http://localhost:5173"], cookie: "none" }]);
  });

  it("takes defineApp's embeds, with the server option and the environment over them field by field", () => {
    const app = { shop: { secret: EMBED_SECRET, origins: ["https://shop.example"] }, blog: { secret: EMBED_SECRET, origins: ["https://blog.example"] } };
    const config = resolve(
      { PARLOR_EMBED_SHOP_ORIGINS: "https://new.shop.example" },
      { embeds: { blog: { secret: EMBED_SECRET, origins: ["https://b.example"] } } },
      app,
    );
    expect(config.embeds).toEqual([
      { id: "blog", secret: EMBED_SECRET, origins: ["https://b.example"], cookie: "none" },
      { id: "shop", secret: EMBED_SECRET, origins: ["https://new.shop.example"], cookie: "none" },
    ]);
    expect(Object.isFrozen(config.embeds[0]!.origins)).toBe(true);
    expect(resolve({}).embeds).toEqual([]);
  });

  it("refuses a short secret, missing or malformed origins and a bad id, naming the variable or option", () => {
    const env = (secret: string, origins: string) => ({ PARLOR_EMBED_SHOP_SECRET: secret, PARLOR_EMBED_SHOP_ORIGINS: origins });
    expect(() => resolve(env("too-short", "https://shop.example"))).toThrow(ParlorConfigError);
    expect(() => resolve(env("too-short", "https://shop.example"))).toThrow(/^PARLOR_EMBED_SHOP_SECRET must be at least 32 characters/);
    expect(() => resolve({ PARLOR_EMBED_SHOP_SECRET: EMBED_SECRET })).toThrow(/^embeds\.shop\.origins must list at least one origin/);
    for (const origin of ["https://shop.example/", "https://shop.example/path", "shop.example", "ftp://shop.example", "https://SHOP.example", "*"]) {
      expect(() => resolve(env(EMBED_SECRET, origin)), origin).toThrow(/^PARLOR_EMBED_SHOP_ORIGINS: .* is not an origin/);
    }
    expect(() => resolve({}, { embeds: { shop: { secret: "short", origins: ["https://shop.example"] } } })).toThrow(/^embeds\.shop\.secret must be/);
    expect(() => resolve({}, { embeds: { "Shop!": { secret: EMBED_SECRET, origins: ["https://shop.example"] } } })).toThrow(/Embedding id "Shop!"/);
    expect(() => resolve({ PARLOR_EMBED_SHOP_SECRETS: EMBED_SECRET })).toThrow(/^PARLOR_EMBED_SHOP_SECRETS is not an embedding setting/);
  });

  it("is declared with defineApp, which checks its shape", () => {
    const base = { name: "Chat", auth: { password: () => null }, onMessage: () => undefined };
    expect(defineApp({ ...base, embeds: { shop: { secret: EMBED_SECRET, origins: ["https://shop.example"] } } }).embeds).toBeDefined();
    // @ts-expect-error -- a misspelled field is refused at once
    expect(() => defineApp({ ...base, embeds: { shop: { secret: EMBED_SECRET, origin: "https://shop.example" } } })).toThrow(/defineApp: embeds\.shop/);
  });
});
