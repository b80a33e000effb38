import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, testApp, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

/**
 * Login abuse from real, distinct client addresses: the whole 127.0.0.0/8 is loopback on
 * Linux, so binding the client socket to 127.0.0.2, 127.0.0.3, … gives the server a
 * different `request.ip` per "machine", with no proxy header to trust.
 */
describe("login abuse", () => {
  let t: TestServer;
  let calls: string[];
  afterEach(async () => t.stop());

  async function start(loginRateLimit: Record<string, number>) {
    calls = [];
    const app = testApp({
      auth: {
        password: ({ username, password }) => {
          calls.push(username);
          return password === TEST_PASSWORD ? { identifier: username } : null;
        },
      },
    });
    t = await startTestServer({ app, server: { loginRateLimit } });
  }

  /** One login attempt from `address`; resolves with the status, Retry-After and elapsed ms. */
  function loginFrom(address: string, username: string, password: string) {
    const started = performance.now();
    const body = JSON.stringify({ username, password });
    return new Promise<{ status: number; retryAfter: string | undefined; ms: number }>((resolve, reject) => {
      const req = httpRequest(
        `${t.origin}/auth/login`,
        {
          method: "POST",
          localAddress: address,
          agent: false,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            origin: t.origin,
            "sec-fetch-site": "same-origin",
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode!, retryAfter: res.headers["retry-after"], ms: performance.now() - started }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  async function attempts(address: string, username: string, password: string, count: number) {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) statuses.push((await loginFrom(address, username, password)).status);
    return statuses;
  }

  it("blocks the guessing address, even with the right password, while the owner logs in from another", async () => {
    await start({ max: 10, window: 300, maxDelay: 1 });
    const attacker = "127.0.0.2";
    expect(await attempts(attacker, "alice", "guess", 12)).toEqual([...Array(10).fill(401), 429, 429]);
    const blocked = await loginFrom(attacker, "alice", TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
    expect(Number(blocked.retryAfter)).toBeLessThanOrEqual(300);
    // The owner, from a fresh address, with the right password: in, even though the attack goes on.
    expect((await loginFrom("127.0.0.3", "ALICE", TEST_PASSWORD)).status).toBe(200);
    expect((await loginFrom(attacker, "alice", TEST_PASSWORD)).status).toBe(429);
    // Only the 10 counted guesses and the owner's login reached the app.
    expect(calls.length).toBe(11);
  });

  it("slows, but never refuses, a username guessed from many addresses", async () => {
    await start({ max: 10, window: 300, slowdownAfter: 12, maxDelay: 1 });
    const statuses: number[] = [];
    for (let host = 2; host <= 5; host++) statuses.push(...(await attempts(`127.0.0.${host}`, "alice", "guess", 4)));
    // 16 failures at alice in all, never more than 4 from one address: none is refused.
    expect(statuses).toEqual(Array(16).fill(401));
    const owner = await loginFrom("127.0.0.9", "alice", TEST_PASSWORD);
    expect(owner.status).toBe(200);
    // 4 failures past slowdownAfter: 100 ms · 2^4, capped at maxDelay (1 s), before the check.
    expect(owner.ms).toBeGreaterThanOrEqual(950);
    // Another username is not slowed by alice's failures, and logs in.
    expect((await loginFrom("127.0.0.9", "bob", TEST_PASSWORD)).status).toBe(200);
  });

  it("does not count attempts refused by the address limit against the username", async () => {
    await start({ max: 3, window: 300, slowdownAfter: 3, maxDelay: 1 });
    const sprayer = "127.0.0.2";
    expect(await attempts(sprayer, "carol", "guess", 3)).toEqual([401, 401, 401]);
    // The address is spent: 20 more tries at alice are refused before they count for her.
    expect(await attempts(sprayer, "alice", "guess", 20)).toEqual(Array(20).fill(429));
    expect(calls).toEqual(["carol", "carol", "carol"]);
    const owner = await loginFrom("127.0.0.3", "alice", TEST_PASSWORD);
    expect(owner.status).toBe(200);
    // alice has no counted failure, so her login was not slowed either (the slowdown is 1 s).
    expect(owner.ms).toBeLessThan(900);
  });

  it("lets no more than `max` parallel guesses from one address reach the app", async () => {
    await start({ max: 10, window: 300, maxDelay: 1 });
    const results = await Promise.all(Array.from({ length: 30 }, () => loginFrom("127.0.0.2", "alice", "guess")));
    expect(results.filter((r) => r.status === 401)).toHaveLength(10);
    expect(results.filter((r) => r.status === 429)).toHaveLength(20);
    expect(calls.length).toBe(10);
  });
});
