import { describe, expect, it } from "vitest";
import { dialects, echoApp, eventually, EventLog, gate, request, startTestServer, type TestServer } from "@parlor/test-support";
import type { ServerOptions } from "parlor";

describe.each(dialects)("realtime chat on $name", (dialect) => {
  let t: TestServer;

  const start = async (app = echoApp(), server: ServerOptions = {}) => {
    t = await startTestServer({ dialect, app, server });
    return t;
  };
  const rows = async () => ({
    threads: await t.server.db.selectFrom("threads").selectAll().execute(),
    messages: await t.server.db.selectFrom("messages").selectAll().orderBy("id").execute(),
  });

  it("streams a reply to a new thread and persists it before message:end", async () => {
    await start();
    const alice = await t.loggedIn("alice");
    const socket = await t.connect(alice);
    const log = new EventLog(socket);

    const ack = await request(socket, "message:send", { content: "hello there parlor" });
    expect(ack).toMatchObject({ ok: true, threadId: expect.any(String), messageId: expect.any(String) });
    const end = await log.waitFor((e) => e.event === "message:end");

    expect(log.of("thread:created")).toEqual([{ threadId: ack.threadId, name: "hello there parlor" }]);
    const [userMessage, assistantMessage] = log.of("message:new");
    expect(userMessage).toMatchObject({ role: "user", content: "hello there parlor", messageId: ack.messageId });
    expect(assistantMessage).toMatchObject({ role: "assistant", content: "", status: "streaming" });
    expect(log.of("message:delta").map((d) => [d.delta, d.offset])).toEqual([
      ["hello ", 0],
      ["there ", 6],
      ["parlor ", 12],
    ]);
    expect(end.data).toEqual({ threadId: ack.threadId, messageId: assistantMessage.messageId, status: "complete" });

    const stored = await rows();
    expect(stored.messages.map((m) => [m.role, m.content, m.status])).toEqual([
      ["user", "hello there parlor", "complete"],
      ["assistant", "hello there parlor ", "complete"],
    ]);
    const thread = await alice.get(`/api/threads/${ack.threadId}`);
    expect(thread.body.messages.map((m: { content: string }) => m.content)).toEqual(["hello there parlor", "hello there parlor "]);
  });

  it("resumes a thread after reconnecting, including the partial reply still being written", async () => {
    const halfway = gate();
    const finish = gate();
    await start(
      echoApp({
        async onMessage(_message, chat) {
          const reply = chat.reply();
          await reply.stream("first half, ");
          halfway.open();
          await finish.opened;
          await reply.stream("second half");
          await reply.end();
        },
      }),
    );
    const alice = await t.loggedIn("alice");
    const first = await t.connect(alice);
    const { threadId } = await request(first, "message:send", { content: "tell me" });
    await halfway.opened;
    first.close();

    const second = await t.connect(alice);
    const log = new EventLog(second);
    const resumed = await request(second, "thread:resume", { threadId });
    expect(resumed.ok).toBe(true);
    expect(resumed.thread.messages.map((m: { role: string; content: string; status: string }) => [m.role, m.content, m.status])).toEqual([
      ["user", "tell me", "complete"],
      ["assistant", "first half, ", "streaming"],
    ]);

    finish.open();
    await log.waitFor((e) => e.event === "message:end");
    expect(log.of("message:delta").map((d) => d.delta)).toEqual(["second half"]);
    const again = await request(second, "thread:resume", { threadId });
    expect(again.thread.messages[1]).toMatchObject({ content: "first half, second half", status: "complete" });
  });

  it("announces thread:idle when the app is done, even without a reply", async () => {
    await start(echoApp({ onMessage: () => undefined }));
    const socket = await t.connect(await t.loggedIn("alice"));
    const log = new EventLog(socket);
    const { threadId } = await request(socket, "message:send", { content: "silence" });
    const idle = await log.waitFor((e) => e.event === "thread:idle");
    expect(idle.data).toEqual({ threadId });
    expect(log.of("message:new")).toHaveLength(1); // the user's message only
  });

  it("continues an existing thread", async () => {
    await start();
    const socket = await t.connect(await t.loggedIn("alice"));
    const log = new EventLog(socket);
    const { threadId } = await request(socket, "message:send", { content: "one" });
    await log.waitFor((e) => e.event === "message:end");
    const second = await request(socket, "message:send", { threadId, content: "two" });
    expect(second.threadId).toBe(threadId);
    await log.waitFor((e) => e.event === "message:end" && e.data.messageId !== log.of("message:end")[0].messageId);
    expect((await rows()).threads).toHaveLength(1);
    expect((await rows()).messages).toHaveLength(4);
  });

  describe("handshake", () => {
    it("refuses a foreign Origin (cross-site websocket hijacking)", async () => {
      await start();
      const alice = await t.loggedIn("alice");
      // Refused by engine.io's allowRequest, before any session: a transport error, no socket.io code.
      await expect(t.connect(alice, { origin: "https://evil.example" })).rejects.toMatchObject({ type: "TransportError" });
    });

    it("refuses a cookie handshake without the CSRF token", async () => {
      await start();
      const alice = await t.loggedIn("alice");
      await expect(t.connect(alice, { csrfToken: null })).rejects.toMatchObject({ data: { code: "csrf" } });
      await expect(t.connect(alice, { csrfToken: "A".repeat(43) })).rejects.toMatchObject({ data: { code: "csrf" } });
    });

    it("refuses a missing cookie and a revoked session's cookie", async () => {
      await start();
      await expect(t.connect(null)).rejects.toMatchObject({ type: "TransportError" });
      const alice = await t.loggedIn("alice");
      const cookie = alice.sessionCookie;
      const csrfToken = alice.csrfToken;
      await alice.post("/auth/logout");
      alice.sessionCookie = cookie;
      alice.csrfToken = csrfToken;
      await expect(t.connect(alice)).rejects.toMatchObject({ data: { code: "unauthenticated" } });
    });

    it("accepts a bearer token in auth.token without a CSRF token", async () => {
      await start();
      const alice = await t.loggedIn("alice");
      const socket = await t.connect(null, { token: alice.sessionCookie!, csrfToken: null });
      const ack = await request(socket, "message:send", { content: "via bearer" });
      expect(ack.ok).toBe(true);
    });
  });

  it("disconnects the open socket within a second of logout elsewhere", async () => {
    await start();
    const alice = await t.loggedIn("alice");
    const socket = await t.connect(alice);
    const disconnected = new Promise<number>((resolve) => socket.on("disconnect", () => resolve(Date.now())));
    const loggedOutAt = Date.now();
    expect((await alice.post("/auth/logout")).status).toBe(204);
    const at = await disconnected;
    expect(at - loggedOutAt).toBeLessThan(1000);
  });

  it("keeps users apart: B cannot resume, continue or hear A's thread", async () => {
    await start();
    const aliceSocket = await t.connect(await t.loggedIn("alice"));
    const bobSocket = await t.connect(await t.loggedIn("bob"));
    const aliceLog = new EventLog(aliceSocket);
    const bobLog = new EventLog(bobSocket);
    const { threadId } = await request(aliceSocket, "message:send", { content: "secret plans" });
    await aliceLog.waitFor((e) => e.event === "message:end");

    const resume = await request(bobSocket, "thread:resume", { threadId });
    expect(resume).toEqual({ ok: false, error: { code: "not_found", message: "No such thread", threadId } });
    const hijack = await request(bobSocket, "message:send", { threadId, content: "mine now" });
    expect(hijack.ok).toBe(false);
    expect(hijack.error.code).toBe("not_found");
    expect(bobLog.events.filter((e) => e.event !== "error")).toEqual([]);
    expect((await rows()).messages.map((m) => m.content)).not.toContain("mine now");
  });

  describe("limits", () => {
    it("answers an oversized message with an error event and stores nothing", async () => {
      await start();
      const socket = await t.connect(await t.loggedIn("alice"));
      const log = new EventLog(socket);
      const ack = await request(socket, "message:send", { content: "x".repeat(64 * 1024 + 1) });
      expect(ack.error.code).toBe("message_too_large");
      await log.waitFor((e) => e.event === "error" && e.data.code === "message_too_large");
      expect(await rows()).toEqual({ threads: [], messages: [] });
      expect(socket.connected).toBe(true);
    });

    it("answers an event flood with rate_limited errors, keeps the connection, stores only what was allowed", async () => {
      // The runs-per-user cap is tested on its own (in shutdown.test.ts); here only the event rate counts.
      await start(echoApp({ onMessage: () => undefined }), { chat: { maxRunsPerUser: 100 } });
      const socket = await t.connect(await t.loggedIn("alice"));
      const log = new EventLog(socket);
      for (let i = 0; i < 60; i++) socket.emit("message:send", { content: `flood ${i}` });
      await log.waitFor((e) => e.event === "error" && e.data.code === "rate_limited");
      // The test clock stands still, so the bucket never refills: exactly the burst (20) passes.
      const limited = () => log.of("error").filter((e) => e.code === "rate_limited").length;
      await eventually("40 refusals and 20 messages", async () => limited() >= 40 && (await rows()).messages.length >= 20);
      expect(limited()).toBe(40);
      expect((await rows()).messages).toHaveLength(20);
      expect(socket.connected).toBe(true);
    });

    it.each([
      ["no content", {}],
      ["blank content", { content: "   " }],
      ["a number", { content: 42 }],
      ["a bad thread id", { threadId: 7, content: "hi" }],
      ["a thread id with NUL", { threadId: "a\u0000b", content: "hi" }],
      ["content with NUL", { content: "a\u0000b" }],
      ["not an object", "hello"],
    ])("refuses %s with invalid_request and stores nothing", async (_label, payload) => {
      await start();
      const socket = await t.connect(await t.loggedIn("alice"));
      const ack = await request(socket, "message:send", payload);
      expect(ack).toMatchObject({ ok: false, error: { code: "invalid_request" } });
      expect(await rows()).toEqual({ threads: [], messages: [] });
    });

    it("refuses a second message while the thread's reply is still running", async () => {
      const finish = gate();
      await start(
        echoApp({
          async onMessage(_message, chat) {
            await finish.opened;
            await chat.send("done");
          },
        }),
      );
      const socket = await t.connect(await t.loggedIn("alice"));
      const { threadId } = await request(socket, "message:send", { content: "first" });
      const second = await request(socket, "message:send", { threadId, content: "second" });
      expect(second.error.code).toBe("busy");
      finish.open();
    });
  });

  it("shows an app error to that user only and keeps serving others", async () => {
    await start(
      echoApp({
        async onMessage(message, chat) {
          if (chat.user.identifier === "alice") {
            const reply = chat.reply();
            await reply.stream("partial");
            throw new Error("model exploded");
          }
          await chat.send(`ok: ${message.content}`);
        },
      }),
    );
    const aliceSocket = await t.connect(await t.loggedIn("alice"));
    const bobSocket = await t.connect(await t.loggedIn("bob"));
    const aliceLog = new EventLog(aliceSocket);
    const bobLog = new EventLog(bobSocket);

    const { threadId } = await request(aliceSocket, "message:send", { content: "break" });
    await request(bobSocket, "message:send", { content: "fine" });
    const error = await aliceLog.waitFor((e) => e.event === "error");
    expect(error.data).toEqual({ code: "app_error", message: "The app failed to answer", threadId });
    await bobLog.waitFor((e) => e.event === "message:end");
    expect(bobLog.of("error")).toEqual([]);
    expect(JSON.stringify(aliceLog.events)).not.toContain("model exploded");

    const messages = (await request(aliceSocket, "thread:resume", { threadId })).thread.messages;
    expect(messages.map((m: { role: string; status: string; content: string }) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "error"],
      ["system", "error"],
    ]);
    expect(messages[1].content).toBe("partial");
  });

  it("stops a streaming reply on message:stop, keeping what was written, as stopped", async () => {
    const started = gate();
    let sawAbort = false;
    await start(
      echoApp({
        async onMessage(_message, chat) {
          const reply = chat.reply();
          await reply.stream("thinking");
          started.open();
          await new Promise<void>((resolve) => chat.signal.addEventListener("abort", () => resolve()));
          sawAbort = true;
          await reply.stream(" more"); // ignored: the reply was ended by the stop
        },
      }),
    );
    const socket = await t.connect(await t.loggedIn("alice"));
    const log = new EventLog(socket);
    const { threadId } = await request(socket, "message:send", { content: "go" });
    await started.opened;
    socket.emit("message:stop", { threadId });
    const end = await log.waitFor((e) => e.event === "message:end");
    expect(end.data.status).toBe("stopped");
    await eventually("the app to see the abort", () => sawAbort);
    expect(sawAbort).toBe(true);
    const messages = (await request(socket, "thread:resume", { threadId })).thread.messages;
    expect(messages[1]).toMatchObject({ content: "thinking", status: "stopped" });
  });

  it("calls onChatStart for a new thread and onChatEnd when the client leaves", async () => {
    const calls: string[] = [];
    await start(
      echoApp({
        onChatStart: (chat) => void calls.push(`start ${chat.thread.name}`),
        onMessage: (message, chat) => chat.send(`history ${message.content}`),
        onChatEnd: (chat) => void calls.push(`end ${chat.thread.name}`),
      }),
    );
    const socket = await t.connect(await t.loggedIn("alice"));
    const log = new EventLog(socket);
    await request(socket, "message:send", { content: "hi" });
    await log.waitFor((e) => e.event === "message:end");
    socket.close();
    await eventually("onChatEnd", () => calls.length >= 2);
    expect(calls).toEqual(["start hi", "end hi"]);
  });
});
