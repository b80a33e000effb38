import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { echoApp, EventLog, gate, request, startTestServer } from "@parlor/test-support";

/**
 * `GET /readyz` on a single node (no Redis): 200 when the database and the file storage
 * answer, 503 naming the part that does not, and 503 once shutdown started. The several-nodes
 * cases (Redis away: `degraded`) are in cluster.test.ts, the database outage in
 * database-outage.test.ts.
 */
describe("GET /readyz", () => {
  it("is 200 ready with each part checked, and has no redis entry without Redis", async () => {
    const t = await startTestServer();
    const response = await t.client().get("/readyz");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: "ready", checks: { database: "ok", files: "ok" } });
    expect(response.headers.get("cache-control")).toContain("no-store");
  });

  it("is 503 unavailable, naming the files, when the files folder cannot be used, and ready again once it can", async () => {
    const t = await startTestServer();
    const files = join(t.dataDir, "files");
    rmSync(files, { recursive: true, force: true });
    // A file where the folder should be: as unusable as an unmounted volume.
    writeFileSync(files, "");
    const response = await t.client().get("/readyz");
    expect(response.status).toBe(503);
    expect(response.body).toEqual({ status: "unavailable", checks: { database: "ok", files: "unreachable" } });
    // Names the part, never a path or an error text.
    expect(response.bytes.toString()).not.toContain(t.dataDir);

    rmSync(files);
    expect((await t.client().get("/readyz")).status).toBe(200);
  });

  it("is not ready once shutdown started, while a reply is still being drained", async () => {
    const release = gate();
    const t = await startTestServer({
      app: echoApp({
        async onMessage(_message, chat) {
          await release.opened;
          await chat.send("done");
        },
      }),
      server: { shutdownGrace: 5 },
    });
    const socket = await t.connect(await t.loggedIn());
    const log = new EventLog(socket);
    await request(socket, "message:send", { content: "hold" });
    expect((await fetch(`${t.origin}/readyz`)).status).toBe(200);

    const closed = t.server.close();
    // The node stops listening first (a probe is refused) and answers 503 on connections
    // still open; a probe that got in before either reads `draining`.
    const during = await fetch(`${t.origin}/readyz`).then(
      (response) => response.status,
      () => "refused",
    );
    expect([503, "refused"]).toContain(during);
    release.open();
    await log.waitFor((e) => e.event === "message:end");
    await closed;
  });
  it("with shutdownReadinessWindow, answers 503 draining in its own shape on the still open port, then stops listening", async () => {
    const t = await startTestServer({ server: { shutdownReadinessWindow: 1, shutdownGrace: 5 } });
    const alice = await t.loggedIn();
    const closing = t.server.close();
    const startedAt = Date.now();
    const during = await fetch(`${t.origin}/readyz`);
    expect(during.status).toBe(503);
    expect(await during.json()).toEqual({ status: "draining", checks: { database: "ok", files: "ok" } });
    // New sockets are refused from the first moment; plain requests are still served meanwhile.
    await expect(t.connect(alice)).rejects.toThrow();
    const handshake = await alice.get("/socket.io/?EIO=4&transport=polling");
    expect([handshake.status, handshake.headers.get("retry-after"), handshake.body]).toEqual([
      503,
      "1",
      { error: { code: "unavailable", message: expect.any(String) } },
    ]);
    expect((await alice.get("/auth/me")).status).toBe(200);
    expect(Date.now() - startedAt).toBeLessThan(1000);
    await closing;
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
    await expect(fetch(`${t.origin}/readyz`)).rejects.toThrow();
  });
});
