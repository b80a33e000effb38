import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../src/config/resolve-config.js";
import { openSocket, rawRequest, readUntilClosed, type RawResult } from "./helpers/raw-http.js";
import { startTestServer, type TestClient, type TestServer } from "./helpers/test-server.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes `chunks` one per `everyMs`, then (with `forever`) a byte each `everyMs` until the server closes. */
function trickle(socket: Socket, chunks: string[], everyMs: number, { forever = false } = {}): void {
  let next = 0;
  const timer = setInterval(() => {
    if (socket.destroyed) return clearInterval(timer);
    if (next < chunks.length) socket.write(chunks[next++]!);
    else if (forever) socket.write(" ");
    else clearInterval(timer);
  }, everyMs);
  socket.once("close", () => clearInterval(timer));
}

/** Opens a connection, sends `head` at once, then trickles `chunks` (see `trickle`) and reads the answer. */
async function slowRequest(origin: string, head: string, chunks: string[], options: { everyMs: number; forever?: boolean; waitMs: number }) {
  const socket = await openSocket(origin);
  const result = readUntilClosed(socket, options.waitMs);
  socket.write(head);
  trickle(socket, chunks, options.everyMs, options);
  return result;
}

/** The server's log lines, parsed; a timeout is the client's doing and is never logged as a warning or an error. */
function captureLogs() {
  const logs: Array<{ level: number; msg: string }> = [];
  return { logs, logStream: { write: (line: string) => void logs.push(JSON.parse(line)) } };
}

function expect408(result: RawResult, label: string) {
  expect(result.closedByServer, label).toBe(true);
  expect(result.status, label).toBe(408);
  expect(JSON.parse(result.body), label).toEqual({ error: { code: "request_timeout", message: expect.any(String) } });
  expect(result.headers["x-content-type-options"], label).toBe("nosniff");
  expect(result.headers["content-security-policy"], label).toContain("frame-ancestors 'none'");
}

describe("HTTP timeouts", () => {
  let t: TestServer;
  afterEach(async () => t.stop());

  const port = () => new URL(t.origin).host;
  const browserHeaders = (client?: TestClient) =>
    `Host: ${port()}\r\nOrigin: ${t.origin}\r\nSec-Fetch-Site: same-origin\r\n` +
    (client ? `Cookie: ${client.cookieName}=${client.sessionCookie}\r\nX-CSRF-Token: ${client.csrfToken}\r\n` : "");

  it("answers 20 slow-body requests (a byte a second) 408 and closes them once requestTimeout passes", async () => {
    const { logs, logStream } = captureLogs();
    t = await startTestServer({ server: { http: { requestTimeout: 2 }, logLevel: "trace" }, logStream });
    const head = `POST /auth/login HTTP/1.1\r\n${browserHeaders()}Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{`;
    // Without a timeout these would stay open for the 500 seconds their bodies take.
    const results = await Promise.all(Array.from({ length: 20 }, () => slowRequest(t.origin, head, [], { everyMs: 1000, forever: true, waitMs: 8000 })));
    results.forEach((result, i) => expect408(result, `request ${i}`));
    // The server still answers everyone else.
    expect((await t.client().get("/healthz")).status).toBe(200);
    expect(logs.filter((line) => line.level >= 40)).toEqual([]);
  });

  it("answers 20 slow-header requests (slowloris) 408 and closes them once headersTimeout passes", async () => {
    t = await startTestServer({ server: { http: { headersTimeout: 2 } } });
    const lines = Array.from({ length: 100 }, (_, i) => `X-Slow-${i}: x\r\n`);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => slowRequest(t.origin, "GET /healthz HTTP/1.1\r\nHost: x\r\n", lines, { everyMs: 1000, waitMs: 8000 })),
    );
    results.forEach((result, i) => expect408(result, `request ${i}`));
  });

  it("gives uploads uploadTimeout instead: a slow but steady upload succeeds, a stalled one is cut", async () => {
    const { logs, logStream } = captureLogs();
    t = await startTestServer({ server: { http: { requestTimeout: 2, uploadTimeout: 6 }, logLevel: "trace" }, logStream });
    const alice = t.client();
    await alice.login("alice");
    const boundary = "parlor-slow-upload";
    const parts = [
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.txt"\r\nContent-Type: text/plain\r\n\r\n`,
      "first line of a slow upload\n",
      "second line of a slow upload\n",
      "third line of a slow upload\n",
      `\r\n--${boundary}--\r\n`,
    ];
    const length = Buffer.byteLength(parts.join(""));
    const head = `POST /api/files HTTP/1.1\r\n${browserHeaders(alice)}Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`;

    // About 4 s in all: more than requestTimeout, less than uploadTimeout.
    const steady = await slowRequest(t.origin, head, parts, { everyMs: 900, waitMs: 10_000 });
    expect(steady.status).toBe(201);
    expect(JSON.parse(steady.body)).toMatchObject({ name: "slow.txt", size: parts.slice(1, 4).join("").length });

    // The same pace on a JSON body is cut by requestTimeout.
    const json = JSON.stringify({ name: "a slow rename" });
    const jsonHead = `PATCH /api/threads/0000000000000nosuchthread00 HTTP/1.1\r\n${browserHeaders(alice)}Content-Type: application/json\r\nContent-Length: ${json.length}\r\n\r\n`;
    expect408(await slowRequest(t.origin, jsonHead, json.match(/.{1,4}/g)!, { everyMs: 900, waitMs: 10_000 }), "slow JSON body");

    // An upload that never finishes is cut by uploadTimeout.
    const stalled = await slowRequest(t.origin, head.replace(`Content-Length: ${length}`, "Content-Length: 10000000"), parts.slice(0, 2), {
      everyMs: 900,
      forever: true,
      waitMs: 12_000,
    });
    expect408(stalled, "stalled upload");
    expect(stalled.elapsed).toBeGreaterThan(4000);
    // Nothing of the cut upload is kept.
    await sleep(200);
    expect(await t.server.db.selectFrom("files").select("name").execute()).toEqual([{ name: "slow.txt" }]);
    expect(logs.filter((line) => line.level >= 40)).toEqual([]);
  }, 40_000);

  it("answers a slow socket.io long-polling POST 408 too (socket.io reads its own bodies, before Fastify)", async () => {
    const { logs, logStream } = captureLogs();
    t = await startTestServer({ server: { http: { requestTimeout: 2 }, logLevel: "trace" }, logStream });
    // Handshakes are screened for a session before engine.io keeps anything (allowHandshake).
    const alice = t.client();
    await alice.login("alice");
    const open = await alice.get("/socket.io/?EIO=4&transport=polling");
    const sid = JSON.parse(String(open.body).slice(1)).sid;
    const head = `POST /socket.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: ${new URL(t.origin).host}\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n4`;
    expect408(await slowRequest(t.origin, head, [], { everyMs: 1000, forever: true, waitMs: 8000 }), "polling POST");
    expect(logs.filter((line) => line.level >= 40)).toEqual([]);
  });

  it("does not cut a socket.io long-polling GET held open longer than requestTimeout", async () => {
    t = await startTestServer({ server: { http: { requestTimeout: 1, headersTimeout: 1 } } });
    // Handshakes are screened for a session before engine.io keeps anything (allowHandshake).
    const alice = t.client();
    await alice.login("alice");
    const open = await alice.get("/socket.io/?EIO=4&transport=polling");
    const sid = JSON.parse(String(open.body).slice(1)).sid;
    // socket.io holds this request until it has something to send (a ping, after 25 s).
    const poll = await rawRequest(t.origin, `GET /socket.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: ${new URL(t.origin).host}\r\n\r\n`, 3500);
    expect(poll.closedByServer).toBe(false);
    expect(poll.status).toBeNull();
  });

  it("closes an idle keep-alive connection after keepAliveTimeout", async () => {
    t = await startTestServer({ server: { http: { keepAliveTimeout: 1 } } });
    const socket = await openSocket(t.origin);
    const result = readUntilClosed(socket, 6000);
    socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`);
    const idle = await result;
    expect(idle.status).toBe(200);
    expect(idle.headers["keep-alive"]).toBe("timeout=1");
    expect(idle.closedByServer).toBe(true);
  });
});

describe("HTTP timeout options", () => {
  it("are read from PARLOR_HTTP_* and default to 10 s headers, 30 s body, 15 min upload, 72 s keep-alive", () => {
    const defaults = resolveConfig({ appName: "t", env: {} });
    expect(defaults.http).toEqual({ headersTimeout: 10, requestTimeout: 30, uploadTimeout: 900, keepAliveTimeout: 72 });
    const fromEnv = resolveConfig({
      appName: "t",
      env: {
        PARLOR_HTTP_HEADERS_TIMEOUT: "5",
        PARLOR_HTTP_REQUEST_TIMEOUT: "20",
        PARLOR_HTTP_UPLOAD_TIMEOUT: "3600",
        PARLOR_HTTP_KEEP_ALIVE_TIMEOUT: "65",
      },
    });
    expect(fromEnv.http).toEqual({ headersTimeout: 5, requestTimeout: 20, uploadTimeout: 3600, keepAliveTimeout: 65 });
    expect(() => resolveConfig({ appName: "t", env: { PARLOR_HTTP_REQUEST_TIMEOUT: "0" } })).toThrow(/requestTimeout/);
    expect(() => resolveConfig({ appName: "t", env: { PARLOR_HTTP_REQUEST_TIMEOUT: "soon" } })).toThrow(/PARLOR_HTTP_REQUEST_TIMEOUT/);
  });
});
