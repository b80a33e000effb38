import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect as tcpConnect, type Socket } from "node:net";
import { join } from "node:path";
import { openDatabase, type ServerOptions } from "parlor";
import { describe, expect, it } from "vitest";
import {
  dialects,
  echoApp,
  EventLog,
  eventually,
  gate,
  registerCleanup,
  request,
  startTestServer,
  type TestClient,
  TestClock,
  type TestServer,
} from "@parlor/test-support";
import { PNG } from "./helpers/sample-files.js";

/** An app whose replies wait for `hold` when the message says "hold". */
const holdingApp = (hold: Promise<void>) =>
  echoApp({
    async onMessage(message, chat) {
      if (message.content === "hold") await hold;
      await chat.send(`ok ${message.content}`);
    },
  });

describe.each(dialects)("replies, runs and shutdown on $name", (dialect) => {
  let t: TestServer | undefined;

  const start = async (app = echoApp(), server: ServerOptions = {}, clock?: TestClock) => {
    t = await startTestServer({ dialect, app, server, ...(clock ? { clock } : {}) });
    return t;
  };
  const upload = async (client: TestClient, bytes: Buffer, name: string) => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(bytes)]), name);
    const response = await client.post("/api/files", { form });
    expect(response.status).toBe(201);
    return response.body.id as string;
  };
  const messages = () => t!.server.db.selectFrom("messages").selectAll().orderBy("id").execute();

  describe("claiming a thread", () => {
    it("two message:send to one thread in the same tick: exactly one accepted, the other busy and not stored", async () => {
      const release = gate();
      await start(holdingApp(release.opened));
      const alice = await t!.loggedIn();
      const socket = await t!.connect(alice);
      const log = new EventLog(socket);
      const { threadId } = await request(socket, "message:send", { content: "start" });
      await log.waitFor((e) => e.event === "thread:idle");
      // Attachments put an await (their check) between the busy check and the claim in the old code.
      const first = await upload(alice, PNG, "one.png");
      const second = await upload(alice, PNG, "two.png");

      const answers = await Promise.all([
        request(socket, "message:send", { threadId, content: "hold", fileIds: [first] }),
        request(socket, "message:send", { threadId, content: "hold", fileIds: [second] }),
      ]);
      expect(answers.filter((a) => a.ok)).toHaveLength(1);
      expect(answers.filter((a) => !a.ok).map((a) => a.error.code)).toEqual(["busy"]);
      expect((await messages()).filter((m) => m.content === "hold")).toHaveLength(1);
      const attached = await t!.server.db.selectFrom("files").select("message_id").where("message_id", "is not", null).execute();
      expect(attached).toHaveLength(1);
      release.open();
    });
  });

  describe("runs per user", () => {
    it("refuses one run more than chat.maxRunsPerUser with rate_limited, stores nothing for it, and frees the slot when a run ends", async () => {
      const release = gate();
      await start(holdingApp(release.opened), { chat: { maxRunsPerUser: 2 } });
      const socket = await t!.connect(await t!.loggedIn("alice"));
      const log = new EventLog(socket);
      const answers = await Promise.all([1, 2, 3].map(() => request(socket, "message:send", { content: "hold" })));
      expect(answers.filter((a) => a.ok)).toHaveLength(2);
      expect(answers.filter((a) => !a.ok).map((a) => a.error.code)).toEqual(["rate_limited"]);
      expect(await t!.server.db.selectFrom("threads").selectAll().execute()).toHaveLength(2);
      expect(await messages()).toHaveLength(2);

      // Another user is not affected.
      const bob = await t!.connect(await t!.loggedIn("bob"));
      expect(await request(bob, "message:send", { content: "mine" })).toMatchObject({ ok: true });

      release.open();
      await log.waitFor(() => log.of("thread:idle").length === 2);
      expect(await request(socket, "message:send", { content: "again" })).toMatchObject({ ok: true });
    });
  });

  describe("closing", () => {
    it("close() ends in about the grace period although a download reads 1 KB/s and an upload stalls", async () => {
      await start(echoApp(), { shutdownGrace: 1 });
      const alice = await t!.loggedIn();
      const big = await upload(alice, randomBytes(8 * 1024 * 1024), "big.bin");
      const { port } = new URL(t!.origin);
      const cookie = `${alice.cookieName}=${alice.sessionCookie}`;

      const download = await new Promise<import("node:http").IncomingMessage>((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port, path: `/api/files/${big}`, headers: { cookie } }, resolve);
        req.on("error", reject);
        req.end();
      });
      expect(download.statusCode).toBe(200);
      download.pause();
      const reader = setInterval(() => download.read(1024), 1000);
      registerCleanup(() => clearInterval(reader));

      const stalled: Socket = tcpConnect(Number(port), "127.0.0.1");
      registerCleanup(() => stalled.destroy());
      const boundary = "----stall";
      stalled.write(
        [
          "POST /api/files HTTP/1.1",
          `Host: 127.0.0.1:${port}`,
          `Cookie: ${cookie}`,
          `Origin: ${t!.origin}`,
          "Sec-Fetch-Site: same-origin",
          `X-CSRF-Token: ${alice.csrfToken}`,
          `Content-Type: multipart/form-data; boundary=${boundary}`,
          `Content-Length: ${10 * 1024 * 1024}`,
          "",
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
        ].join("\r\n") + "x".repeat(1000),
      );
      stalled.resume(); // reads nothing (no answer comes), but lets "close" fire when the server ends it
      const uploadClosed = new Promise<void>((resolve) => stalled.once("close", () => resolve()));
      // Lets the server take in the stalled request (its 1000 body bytes may not reach storage
      // yet, so no file or event tells when it has).
      await new Promise((resolve) => setTimeout(resolve, 200));

      const closing = Date.now();
      await t!.stop();
      t = undefined;
      // Grace (1 s) plus a margin for a slow machine; before, close() waited for these clients forever.
      expect(Date.now() - closing).toBeLessThan(1000 + 4000);
      // Both clients were cut off: the download ends short of the file, the upload's connection is closed.
      clearInterval(reader);
      let received = 0;
      download.on("data", (chunk: Buffer) => (received += chunk.length));
      download.resume();
      await new Promise<void>((resolve) => download.once("close", () => resolve()));
      expect(received).toBeLessThan(8 * 1024 * 1024);
      await uploadClosed;
    });

    it("refuses message:send with unavailable once shutdown has started, while a running reply finishes", async () => {
      const release = gate();
      await start(holdingApp(release.opened), { shutdownGrace: 10 });
      const socket = await t!.connect(await t!.loggedIn());
      const log = new EventLog(socket);
      const { threadId } = await request(socket, "message:send", { content: "hold" });
      const closed = t!.server.close();
      // The drain has begun: the server no longer listens, so a new connection fails.
      await expect(fetch(`${t!.origin}/healthz`)).rejects.toThrow();
      const refused = await request(socket, "message:send", { content: "late" });
      expect(refused).toMatchObject({ ok: false, error: { code: "unavailable" } });
      release.open();
      const end = await log.waitFor((e) => e.event === "message:end");
      expect(end.data).toMatchObject({ threadId, status: "complete" });
      await closed;
      expect(
        (await t!.server.db
          .selectFrom("messages")
          .select("content")
          .execute()
          .catch(() => null)) ?? [],
      ).toBeDefined();
    });
  });

  describe("replies cut short", () => {
    it("a reply the app ends after the grace period's abort is stored interrupted, never complete", async () => {
      const streaming = gate();
      await start(
        echoApp({
          async onMessage(_message, chat) {
            const reply = chat.reply();
            await reply.stream("half of it");
            streaming.open();
            await new Promise<void>((resolve) => chat.signal.addEventListener("abort", () => resolve()));
            await reply.stream(" and more"); // ignored: the reply was ended by the shutdown
            await reply.end();
          },
        }),
        { shutdownGrace: 0.5 },
      );
      const socket = await t!.connect(await t!.loggedIn());
      const log = new EventLog(socket);
      const { threadId } = await request(socket, "message:send", { content: "go" });
      await streaming.opened;
      await log.waitFor((e) => e.event === "message:delta");
      await t!.server.close();
      const end = await log.waitFor((e) => e.event === "message:end", 2000);
      expect(end.data).toEqual({ threadId, messageId: expect.any(String), status: "interrupted" });
      const db = await openDatabase(t!.server.config.database);
      const stored = await db.selectFrom("messages").select(["content", "status"]).where("role", "=", "assistant").execute();
      await db.destroy();
      expect(stored).toEqual([{ content: "half of it", status: "interrupted" }]);
    });

    it("an app that throws because the user stopped it is not reported as an app error", async () => {
      const streaming = gate();
      await start(
        echoApp({
          async onMessage(_message, chat) {
            const reply = chat.reply();
            await reply.stream("thinking");
            streaming.open();
            await new Promise<void>((_resolve, reject) => chat.signal.addEventListener("abort", () => reject(new Error("aborted"))));
          },
        }),
      );
      const socket = await t!.connect(await t!.loggedIn());
      const log = new EventLog(socket);
      const { threadId } = await request(socket, "message:send", { content: "go" });
      await streaming.opened;
      socket.emit("message:stop", { threadId });
      await log.waitFor((e) => e.event === "thread:idle");
      expect(log.of("error")).toEqual([]);
      expect((await messages()).map((m) => [m.role, m.status])).toEqual([
        ["user", "complete"],
        ["assistant", "stopped"],
      ]);
    });
  });

  describe("recovery", () => {
    it("at start, marks interrupted the replies of missing, stale or unrecorded owners, keeps a live sibling's, and gets it once that sibling stops beating", async () => {
      const clock = new TestClock();
      await start(echoApp(), {}, clock);
      const alice = await t!.loggedIn();
      const socket = await t!.connect(alice);
      const log = new EventLog(socket);
      const { threadId } = await request(socket, "message:send", { content: "hello" });
      await log.waitFor((e) => e.event === "message:end");
      const db = t!.server.db;
      const now = clock.now();
      // Processes on another host: only their heartbeat tells whether they live.
      await db
        .insertInto("processes")
        .values([
          { id: "stale", host: "elsewhere", pid: 1, started_at: now - 120_000, heartbeat_at: now - 60_000 },
          { id: "alive", host: "elsewhere", pid: 1, started_at: now - 120_000, heartbeat_at: now },
        ])
        .execute();
      const reply = (id: string, owner: string | null) => ({
        id,
        thread_id: threadId,
        role: "assistant" as const,
        content: `partial ${id}`,
        status: "streaming" as const,
        created_at: now + 1,
        parent_id: null,
        owner_id: owner,
      });
      await db
        .insertInto("messages")
        .values([reply("m-stale", "stale"), reply("m-missing", "never-registered"), reply("m-legacy", null), reply("m-alive", "alive")])
        .execute();

      t = await t!.restart({ server: { chat: { heartbeatInterval: 0.2 } } });
      const statuses = async () =>
        Object.fromEntries(
          (await t!.server.db.selectFrom("messages").select(["id", "status"]).where("id", "like", "m-%").execute()).map((m) => [m.id, m.status]),
        );
      expect(await statuses()).toEqual({ "m-stale": "interrupted", "m-missing": "interrupted", "m-legacy": "interrupted", "m-alive": "streaming" });
      const thread = await (await t.loggedIn()).get(`/api/threads/${threadId}`);
      expect(thread.body.messages.find((m: { id: string }) => m.id === "m-stale")).toMatchObject({ status: "interrupted", content: "partial m-stale" });

      // "alive" stops beating: three intervals later (0.6 s of clock), a beat of ours interrupts its reply.
      clock.advance(1000);
      await eventually("a beat interrupting the reply of 'alive'", async () => (await statuses())["m-alive"] === "interrupted", 3000);
      expect((await statuses())["m-alive"]).toBe("interrupted");
    });

    it("removes partial uploads left by a crash at start and in the sweep, but not one still being written", async () => {
      await start();
      const tmp = join(t!.dataDir, "files", "tmp");
      mkdirSync(tmp, { recursive: true });
      const leftover = (name: string, minutesAgo: number) => {
        const path = join(tmp, name);
        writeFileSync(path, "half an upload");
        const at = new Date(Date.now() - minutesAgo * 60_000);
        utimesSync(path, at, at);
        return path;
      };
      const crashed = leftover(`${"a".repeat(32)}.part`, 10);
      const inProgress = leftover(`${"b".repeat(32)}.part`, 0);

      t = await t!.restart();
      expect(existsSync(crashed)).toBe(false);
      expect(existsSync(inProgress)).toBe(true);

      const later = leftover(`${"c".repeat(32)}.part`, 10);
      expect(await t.server.files.sweepPartialUploads()).toBe(1);
      expect(existsSync(later)).toBe(false);
      expect(existsSync(inProgress)).toBe(true);
    });
  });
});
