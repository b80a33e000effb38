import { afterEach, describe, expect, it } from "vitest";
import { defineApp, hashPassword, verifyPassword, verifyUserPassword } from "parlor";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

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

  it("costs an unknown username as much as a known one, over HTTP (the README's login callback)", async () => {
    const users = new Map([["ada", await hashPassword("lovelace")]]);
    const app = defineApp({
      name: "Timing",
      auth: {
        password: async ({ username, password }) =>
          (await verifyUserPassword(users.get(username), password)) ? { identifier: username } : null,
      },
      onMessage: async () => {},
    });
    t = await startTestServer({ app });
    const client = t.client();
    // CPU time, not wall time: argon2's work is what differs, and the machine may be busy.
    async function cpuOfLogins(username: string) {
      const before = process.cpuUsage();
      for (let i = 0; i < 5; i++) expect((await client.login(username, "wrong")).status).toBe(401);
      const used = process.cpuUsage(before);
      return used.user + used.system;
    }
    await cpuOfLogins("warm-up"); // the dummy hash is made on first use
    const known = await cpuOfLogins("ada");
    const unknown = await cpuOfLogins("nobody");
    // Without the dummy, an unknown user costs a small fraction of a known one (no argon2 at all).
    expect(unknown / known).toBeGreaterThan(0.5);
    expect(unknown / known).toBeLessThan(2);
    expect((await client.login("ada", "lovelace")).status).toBe(200);
  });
});
