import { SignJWT } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deriveKeyRing } from "../src/crypto/key-ring.js";
import { startTestServer, type TestClient, type TestServer } from "./helpers/test-server.js";

/** Each bad input gets a 4xx in the documented error shape and changes nothing. */
const errorShape = (code: string) => ({ error: { code, message: expect.any(String) } });

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("bad input", () => {
  let t: TestServer;
  let alice: TestClient;
  let token: string;
  let claims: Record<string, unknown>;

  beforeEach(async () => {
    t = await startTestServer();
    alice = t.client();
    await alice.login("alice");
    token = alice.sessionCookie!;
    claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
  });
  afterEach(async () => t.stop());

  const countRows = async () => ({
    users: (await t.server.db.selectFrom("users").select("id").execute()).length,
    sessions: (await t.server.db.selectFrom("sessions").select("id").execute()).length,
  });

  /** Sends `cookie` as the session cookie and expects the request to be unauthenticated. */
  const expectRejectedCookie = async (cookie: string) => {
    const attacker = t.client();
    attacker.sessionCookie = cookie;
    const response = await attacker.get("/auth/me");
    expect(response.status).toBe(401);
    expect(response.body).toEqual(errorShape("unauthenticated"));
  };

  describe("login bodies", () => {
    it("rejects malformed JSON with 400 invalid_json", async () => {
      const before = await countRows();
      const response = await t.client().post("/auth/login", {
        body: '{"username": "mallory", "password": ',
        headers: { "content-type": "application/json" },
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual(errorShape("invalid_json"));
      expect(await countRows()).toEqual(before);
    });

    it("rejects an oversized body with 413 before reading it", async () => {
      const response = await t.client().post("/auth/login", {
        json: { username: "mallory", password: "x".repeat(100_000) },
      });
      expect(response.status).toBe(413);
      expect(response.body).toEqual(errorShape("payload_too_large"));
    });

    it.each([
      ["no fields", {}],
      ["no password", { username: "mallory" }],
      ["empty username", { username: "  ", password: "pw" }],
      ["non-string password", { username: "mallory", password: 12345 }],
      ["an array", [1, 2]],
      ["a NUL in the username", { username: "a\u0000b", password: "pw" }],
    ])("rejects %s with 400 invalid_request", async (_label, body) => {
      const before = await countRows();
      const response = await t.client().post("/auth/login", { json: body });
      expect(response.status).toBe(400);
      expect(response.body).toEqual(errorShape("invalid_request"));
      expect(await countRows()).toEqual(before);
    });

    it("rejects an unsupported content type with 415", async () => {
      const response = await t.client().post("/auth/login", {
        body: "<xml/>",
        headers: { "content-type": "application/xml" },
      });
      expect(response.status).toBe(415);
      expect(response.body).toEqual(errorShape("unsupported_media_type"));
    });

    it("accepts a form-encoded login from the same origin", async () => {
      const response = await t.client().post("/auth/login", {
        body: "username=carol&password=" + encodeURIComponent("correct horse battery staple"),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(response.status).toBe(200);
      expect(response.body.user.identifier).toBe("carol");
    });

    it("answers a wrong password and an unknown user identically", async () => {
      const wrongPassword = await t.client().login("alice", "nope");
      const unknownUser = await t.client().login("nobody-at-all", "nope");
      expect(wrongPassword.status).toBe(401);
      expect(unknownUser.status).toBe(401);
      expect(wrongPassword.body).toEqual(unknownUser.body);
      expect(wrongPassword.body).toEqual(errorShape("invalid_credentials"));
    });
  });

  describe("forged and broken tokens", () => {
    it("refuses alg: none", async () => {
      await expectRejectedCookie(`${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`);
    });

    it("refuses a token with an unknown kid", async () => {
      const header = JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString());
      const [, payload, signature] = token.split(".");
      await expectRejectedCookie(`${b64({ ...header, kid: "someone-else" })}.${payload}.${signature}`);
    });

    it("refuses a tampered payload (another user's id)", async () => {
      const [header, , signature] = token.split(".");
      await expectRejectedCookie(`${header}.${b64({ ...claims, sub: "another-user" })}.${signature}`);
    });

    it("refuses a tampered signature", async () => {
      const [header, payload, signature] = token.split(".");
      const flipped = (signature![0] === "A" ? "B" : "A") + signature!.slice(1);
      await expectRejectedCookie(`${header}.${payload}.${flipped}`);
    });

    it("refuses a token signed with HS256 by a key that is not ours", async () => {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).kid })
        .sign(new TextEncoder().encode("attacker-secret-0123456789-abcdefghijklmnop"));
      await expectRejectedCookie(forged);
    });

    it("refuses an expired token whose session is revoked", async () => {
      await alice.post("/auth/logout");
      t.clock.advance(3600);
      await expectRejectedCookie(token);
    });

    it("refuses a genuine, expired token for a session that never existed", async () => {
      const keys = deriveKeyRing(t.server.config, "session-jwt");
      const now = Math.floor(t.clock.now / 1000);
      const expired = await new SignJWT({ ...claims, sid: "x".repeat(43), iat: now - 3600, exp: now - 60 })
        .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: keys.current.kid })
        .sign(keys.current.key);
      await expectRejectedCookie(expired);
    });

    it("refuses a token signed with the JWT key but missing required claims", async () => {
      const keys = deriveKeyRing(t.server.config, "session-jwt");
      const { sid: _sid, ...withoutSid } = claims;
      const partial = await new SignJWT(withoutSid).setProtectedHeader({ alg: "HS256", typ: "JWT", kid: keys.current.kid }).sign(keys.current.key);
      await expectRejectedCookie(partial);
    });

    it("refuses a value signed for another purpose (the CSRF key) as a session token", async () => {
      const csrfKeys = deriveKeyRing(t.server.config, "csrf");
      const crossPurpose = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT", kid: csrfKeys.current.kid }).sign(csrfKeys.current.key);
      await expectRejectedCookie(crossPurpose);
    });
  });

  describe("cookies", () => {
    it("treats garbage as no session", async () => {
      await expectRejectedCookie("not-a-jwt-at-all");
      await expectRejectedCookie("a.b.c");
      await expectRejectedCookie("%00%ff..");
    });

    it("treats a 10 KB cookie as no session", async () => {
      await expectRejectedCookie("A".repeat(10 * 1024));
    });

    it("refuses a session cookie sent twice, even when one copy is valid", async () => {
      const attacker = t.client();
      for (const cookie of [
        `${attacker.cookieName}=${token}; ${attacker.cookieName}=garbage`,
        `${attacker.cookieName}=garbage; ${attacker.cookieName}=${token}`,
      ]) {
        const response = await attacker.get("/auth/me", { headers: { cookie } });
        expect(response.status).toBe(401);
      }
    });

    it("still finds its cookie among unrelated ones", async () => {
      const response = await t.client().get("/auth/me", {
        headers: { cookie: `theme=dark; x${alice.cookieName}=nope; ${alice.cookieName}=${token}; other=1` },
      });
      expect(response.status).toBe(200);
    });
  });

  describe("other routes", () => {
    it("answers unknown routes with 404 in the error shape", async () => {
      const response = await alice.get("/auth/nope");
      expect(response.status).toBe(404);
      expect(response.body).toEqual(errorShape("not_found"));
    });

    it("rejects a session id with a NUL byte (PostgreSQL would refuse the query)", async () => {
      const response = await alice.delete("/auth/sessions/a%00b");
      expect(response.status).toBe(400);
      expect(response.body).toEqual(errorShape("invalid_request"));
    });

    it("rejects over-long session ids in DELETE /auth/sessions/:id", async () => {
      const tooLong = await alice.delete(`/auth/sessions/${"x".repeat(80)}`);
      expect(tooLong.status).toBe(400);
      expect(tooLong.body).toEqual(errorShape("invalid_request"));
      const wayTooLong = await alice.delete(`/auth/sessions/${"x".repeat(300)}`);
      expect(wayTooLong.status).toBe(414);
      expect(wayTooLong.body).toEqual(errorShape("invalid_request"));
      expect((await alice.get("/auth/me")).status).toBe(200);
    });
  });
});

describe("content types", () => {
  let t: TestServer;
  let alice: TestClient;
  /** Every log line the server writes, parsed. */
  let logs: Array<{ level: number; msg: string; err?: { stack?: string } }>;

  beforeEach(async () => {
    logs = [];
    t = await startTestServer({ server: { logLevel: "trace" }, logStream: { write: (line) => void logs.push(JSON.parse(line)) } });
    alice = t.client();
    await alice.login("alice");
  });
  afterEach(async () => t.stop());

  const errorLogs = () => logs.filter((line) => line.level >= 50);
  const fileRows = () => t.server.db.selectFrom("files").select("id").execute();

  it.each([
    ["no boundary", "multipart/form-data"],
    ["an empty boundary", "multipart/form-data; boundary="],
    ["an empty quoted boundary", 'multipart/form-data; boundary=""'],
    ["a charset but no boundary", "multipart/form-data; charset=utf-8"],
  ])("answers an upload with %s 400 invalid_request, logged below error level", async (_label, type) => {
    const response = await alice.post("/api/files", {
      body: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhello\r\n--x--\r\n',
      headers: { "content-type": type },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(errorShape("invalid_request"));
    expect(errorLogs()).toEqual([]);
    expect(logs.some((line) => line.err?.stack)).toBe(false);
    expect(await fileRows()).toEqual([]);
  });

  it.each([
    ["a file part cut off before its closing boundary", '--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhello'],
    ["headers of a part cut off", "--x\r\nContent-Disposition: form-da"],
    ["a body that never names a part", "no boundary line here"],
  ])("answers a multipart upload with %s 400 invalid_request, stores nothing", async (_label, body) => {
    const response = await alice.post("/api/files", { body, headers: { "content-type": "multipart/form-data; boundary=x" } });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(errorShape("invalid_request"));
    expect(errorLogs()).toEqual([]);
    expect(await fileRows()).toEqual([]);
    // The connection and the session are fine afterwards.
    expect((await alice.get("/auth/me")).status).toBe(200);
  });

  it("answers text/plain with 415 unsupported_media_type on every JSON route, as documented", async () => {
    const text = { body: '{"username":"alice","password":"x"}', headers: { "content-type": "text/plain" } };
    const threadId = "0000000000000nosuchthread00";
    const attempts = [
      await t.client().post("/auth/login", text),
      await t.client().post("/auth/login", { ...text, headers: { "content-type": "text/plain;charset=UTF-8" } }),
      await alice.request("PATCH", `/api/threads/${threadId}`, { body: '{"name":"x"}', headers: { "content-type": "text/plain" } }),
      await alice.post("/api/files", { body: "hello", headers: { "content-type": "text/plain" } }),
    ];
    for (const response of attempts) {
      expect(response.status).toBe(415);
      expect(response.body).toEqual(errorShape("unsupported_media_type"));
    }
    // Still logged in: nothing the text said was acted on.
    expect((await alice.get("/auth/me")).status).toBe(200);
    expect(errorLogs()).toEqual([]);
  });
});

describe("login rate limit", () => {
  let t: TestServer;
  afterEach(async () => t.stop());

  it("answers 429 with Retry-After after 10 attempts from one IP, without calling the app", async () => {
    let calls = 0;
    const { testApp } = await import("./helpers/test-server.js");
    const app = testApp({
      auth: {
        password: () => {
          calls++;
          return null;
        },
      },
    });
    t = await startTestServer({ app, server: { loginRateLimit: { max: 10, window: 300 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await t.client().login(`user${i}`, "guess")).status);

    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect(calls).toBe(10);
    const limited = await t.client().login("someone-new", "guess");
    expect(limited.body).toEqual(errorShape("rate_limited"));
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(300);
  });

  it("limits failures per username and address, never the username everywhere (proxy addresses)", async () => {
    // A trusted proxy lets the test present different client IPs via X-Forwarded-For;
    // login-abuse.test.ts does the same from real loopback addresses.
    t = await startTestServer({ server: { loginRateLimit: { max: 3, window: 300, maxDelay: 1 }, trustedProxies: ["127.0.0.1"] } });
    const from = (ip: string, username: string, password = "guess") =>
      t.client().post("/auth/login", { json: { username, password }, headers: { "x-forwarded-for": ip } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await from("203.0.113.1", "Alice")).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    // The owner (any case) from another address still logs in.
    expect((await from("198.51.100.8", "ALICE", "correct horse battery staple")).status).toBe(200);
  });
});
