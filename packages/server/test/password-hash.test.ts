import { afterEach, describe, expect, it, vi } from "vitest";
import { defineApp, hashPassword, verifyPassword, verifyUserPassword } from "parlor";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

/** The hashes argon2 verified, in order: what a login costs, counted instead of timed. */
const verified = vi.hoisted(() => [] as string[]);
vi.mock("@node-rs/argon2", async (importOriginal) => {
  const argon2 = await importOriginal<typeof import("@node-rs/argon2")>();
  return {
    ...argon2,
    verify: (hashed: string, password: string) => {
      verified.push(hashed);
      return argon2.verify(hashed, password);
    },
  };
});

/** `$argon2id$v=19$m=…,t=…,p=…`: the parameters that decide how long a verification takes. */
const costOf = (hashed: string) => hashed.split("$").slice(1, 4).join("$");

describe("hashPassword / verifyPassword", () => {
  it("hashes with argon2id, salted, and verifies only the right password", async () => {
    const first = await hashPassword("correct horse");
    const second = await hashPassword("correct horse");
    expect(first).toMatch(/^\$argon2id\$/);
    expect(first).not.toBe(second);
    expect(await verifyPassword(first, "correct horse")).toBe(true);
    expect(await verifyPassword(first, "correct horse!")).toBe(false);
  });

  it("answers false for a malformed hash instead of throwing", async () => {
    expect(await verifyPassword("not-a-hash", "x")).toBe(false);
  });
});

describe("verifyUserPassword", () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it("verifies a known user's password, and answers false for an unknown user or a malformed hash", async () => {
    const stored = await hashPassword("lovelace");
    expect(await verifyUserPassword(stored, "lovelace")).toBe(true);
    expect(await verifyUserPassword(stored, "babbage")).toBe(false);
    expect(await verifyUserPassword(undefined, "lovelace")).toBe(false);
    expect(await verifyUserPassword(null, "")).toBe(false);
    expect(await verifyUserPassword("not-a-hash", "lovelace")).toBe(false);
  });

  it("costs an unknown username one argon2 verification with a known one's parameters, over HTTP (the README's login callback)", async () => {
    const users = new Map([["ada", await hashPassword("lovelace")]]);
    const app = defineApp({
      name: "Timing",
      auth: {
        password: async ({ username, password }) => ((await verifyUserPassword(users.get(username), password)) ? { identifier: username } : null),
      },
      onMessage: async () => {},
    });
    t = await startTestServer({ app });
    const client = t.client();
    async function verificationsOfLogin(username: string) {
      verified.length = 0;
      expect((await client.login(username, "wrong")).status).toBe(401);
      return verified.map(costOf);
    }
    const known = await verificationsOfLogin("ada");
    // Exactly one argon2 verification with the same parameters, user or no user. (With the old
    // README callback, which skipped argon2 for unknown users, the second list was empty.)
    expect(known).toEqual([costOf(users.get("ada")!)]);
    expect(await verificationsOfLogin("nobody")).toEqual(known);
    expect((await client.login("ada", "lovelace")).status).toBe(200);
  });
});
