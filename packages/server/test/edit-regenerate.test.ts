import { describe, expect, it } from "vitest";
import type { Chat, IncomingMessage } from "../src/index.js";
import { dialects, echoApp, eventually, EventLog, gate, request, startTestServer, type ClientSocket, type TestServer } from "@parlor/test-support";
import { PNG } from "./helpers/sample-files.js";

describe.each(dialects)("edit the last message, regenerate the last reply, on $name", (dialect) => {
  let t: TestServer;
  /** Each run of onMessage: the message it got and the history it read. */
  let runs: Array<{ id: string; content: string; files: string[]; history: string[] }>;
  /** While set, onMessage waits for it before replying (a reply in progress). */
  let hold: Promise<void> | null;
  let reply = 0;

  const start = async () => {
    runs = [];
    hold = null;
    reply = 0;
    t = await startTestServer({
      dialect,
      app: echoApp({
        async onMessage(message: IncomingMessage, chat: Chat) {
          const history = (await chat.history()).map((entry) => `${entry.role}: ${entry.content}`);
          runs.push({ id: message.id, content: message.content, files: message.files.map((file) => file.name), history });
          if (hold) await hold;
          await chat.send(`reply ${++reply} to ${message.content}`);
        },
      }),
    });
  };

  const user = async (name: string) => {
    const client = await t.loggedIn(name);
    const socket = await t.connect(client);
    return { client, socket, log: new EventLog(socket) };
  };

  /** Emits with an ack and waits for the app to be done with the thread (when the request was accepted). */
  const act = async (socket: ClientSocket, log: EventLog, event: "message:send" | "message:edit" | "message:regenerate", payload: unknown) => {
    const idle = log.of("thread:idle").length;
    const answer = await request(socket, event, payload);
    if (answer.ok) await eventually("thread:idle", () => log.of("thread:idle").length > idle);
    return answer;
  };

  /** A thread of two exchanges: q1, reply 1, q2, reply 2. */
  const twoExchanges = async (name = "alice") => {
    const u = await user(name);
    const first = await act(u.socket, u.log, "message:send", { content: "q1" });
    const second = await act(u.socket, u.log, "message:send", { threadId: first.threadId, content: "q2" });
    const thread = await u.client.get(`/api/threads/${first.threadId}`);
    const [q1, r1, q2, r2] = thread.body.messages as Array<{ id: string; content: string }>;
    expect(thread.body.messages.map((m: { content: string }) => m.content)).toEqual(["q1", "reply 1 to q1", "q2", "reply 2 to q2"]);
    expect(second.messageId).toBe(q2!.id);
    return { ...u, threadId: first.threadId as string, q1: q1!, r1: r1!, q2: q2!, r2: r2! };
  };

  const visible = async (client: { get(path: string): Promise<{ body: any }> }, threadId: string) =>
    ((await client.get(`/api/threads/${threadId}`)).body.messages as Array<{ content: string }>).map((m) => m.content);
  const allRows = (threadId: string) =>
    t.server.db.selectFrom("messages").select(["id", "content", "replaced_at"]).where("thread_id", "=", threadId).orderBy("created_at").orderBy("id").execute();

  describe("message:edit", () => {
    it("replaces the last question and its reply: they stay stored with replaced_at, out of the thread and of history", async () => {
      await start();
      const a = await twoExchanges();
      const otherTab = new EventLog(await t.connect(a.client));
      const answer = await act(a.socket, a.log, "message:edit", { threadId: a.threadId, messageId: a.q2.id, content: "q2, better" });
      expect(answer).toEqual({ ok: true, threadId: a.threadId, messageId: expect.any(String) });
      expect(answer.messageId).not.toBe(a.q2.id);

      expect(await visible(a.client, a.threadId)).toEqual(["q1", "reply 1 to q1", "q2, better", "reply 3 to q2, better"]);
      expect(runs.at(-1)).toEqual({
        id: answer.messageId,
        content: "q2, better",
        files: [],
        history: ["user: q1", "assistant: reply 1 to q1", "user: q2, better"],
      });
      const rows = await allRows(a.threadId);
      expect(rows.filter((row) => row.replaced_at !== null).map((row) => row.content)).toEqual(["q2", "reply 2 to q2"]);
      expect(rows).toHaveLength(6);

      // Every tab: the replaced ids, then the new message, then its reply.
      const replaced = await otherTab.waitFor((e) => e.event === "message:replaced");
      expect(replaced.data).toEqual({ threadId: a.threadId, messageIds: [a.q2.id, a.r2.id] });
      const events = otherTab.events.map((e) => e.event);
      expect(events.indexOf("message:replaced")).toBeLessThan(events.indexOf("message:new"));
      expect(otherTab.of("message:new")[0]).toMatchObject({ messageId: answer.messageId, role: "user", content: "q2, better" });
    });

    it("keeps the edited message's files with the new message", async () => {
      await start();
      const a = await user("alice");
      const form = new FormData();
      form.append("file", new Blob([PNG], { type: "image/png" }), "chart.png");
      const upload = await a.client.post("/api/files", { form });
      expect(upload.status).toBe(201);
      const sent = await act(a.socket, a.log, "message:send", { content: "look", fileIds: [upload.body.id] });
      const edited = await act(a.socket, a.log, "message:edit", { threadId: sent.threadId, messageId: sent.messageId, content: "look again" });
      expect(runs.at(-1)!.files).toEqual(["chart.png"]);
      const thread = await a.client.get(`/api/threads/${sent.threadId}`);
      expect(thread.body.messages[0]).toMatchObject({ id: edited.messageId, content: "look again", files: [{ id: upload.body.id, name: "chart.png" }] });
      expect((await a.client.get(`/api/files/${upload.body.id}`)).status).toBe(200);
    });

    it("refuses an older message (not_latest), a reply's id (not_latest) and an unknown one (not_found); nothing changes", async () => {
      await start();
      const a = await twoExchanges();
      for (const [messageId, code] of [
        [a.q1.id, "not_latest"],
        [a.r2.id, "not_latest"],
        ["0000000000000nosuchmessage0", "not_found"],
      ] as const) {
        const answer = await request(a.socket, "message:edit", { threadId: a.threadId, messageId, content: "changed" });
        expect(answer).toEqual({ ok: false, error: { code, message: expect.any(String), threadId: a.threadId } });
      }
      expect((await allRows(a.threadId)).every((row) => row.replaced_at === null)).toBe(true);
      expect(runs).toHaveLength(2);
    });

    it("refuses empty text (invalid_request) and text over the message limit (message_too_large)", async () => {
      await start();
      const a = await twoExchanges();
      const empty = await request(a.socket, "message:edit", { threadId: a.threadId, messageId: a.q2.id, content: "  " });
      expect(empty.error.code).toBe("invalid_request");
      const huge = await request(a.socket, "message:edit", {
        threadId: a.threadId,
        messageId: a.q2.id,
        content: "x".repeat(t.server.config.chat.maxMessageBytes + 1),
      });
      expect(huge.error.code).toBe("message_too_large");
      const malformed = await request(a.socket, "message:edit", { threadId: a.threadId, messageId: 5, content: "x" });
      expect(malformed.error.code).toBe("invalid_request");
      expect(await visible(a.client, a.threadId)).toEqual(["q1", "reply 1 to q1", "q2", "reply 2 to q2"]);
    });
  });

  describe("message:regenerate", () => {
    it("replaces the last reply and runs the app again on the same question; the old reply stays stored", async () => {
      await start();
      const a = await twoExchanges();
      const answer = await act(a.socket, a.log, "message:regenerate", { threadId: a.threadId, messageId: a.r2.id });
      expect(answer).toEqual({ ok: true, threadId: a.threadId });
      expect(await visible(a.client, a.threadId)).toEqual(["q1", "reply 1 to q1", "q2", "reply 3 to q2"]);
      expect(runs.at(-1)).toEqual({ id: a.q2.id, content: "q2", files: [], history: ["user: q1", "assistant: reply 1 to q1", "user: q2"] });
      expect(a.log.of("message:replaced")).toEqual([{ threadId: a.threadId, messageIds: [a.r2.id] }]);
      const rows = await allRows(a.threadId);
      expect(rows.find((row) => row.id === a.r2.id)!.replaced_at).toEqual(expect.any(Number));
    });

    it("regenerates after an app failure too: the error message is the latest reply", async () => {
      let fail = true;
      const failing = await startTestServer({
        dialect,
        app: echoApp({
          async onMessage(message, chat) {
            if (fail) throw new Error("model down");
            await chat.send(`fine: ${message.content}`);
          },
        }),
      });
      const client = await failing.loggedIn("carol");
      const socket = await failing.connect(client);
      const log = new EventLog(socket);
      const sent = await act(socket, log, "message:send", { content: "hello" });
      const [, errorMessage] = (await client.get(`/api/threads/${sent.threadId}`)).body.messages;
      expect(errorMessage).toMatchObject({ role: "system", status: "error" });
      fail = false;
      await act(socket, log, "message:regenerate", { threadId: sent.threadId, messageId: errorMessage.id });
      expect(await visible(client, sent.threadId)).toEqual(["hello", "fine: hello"]);
    });

    it("refuses an older reply or the user's message (not_latest) and an unknown id (not_found); nothing changes", async () => {
      await start();
      const a = await twoExchanges();
      for (const [messageId, code] of [
        [a.r1.id, "not_latest"],
        [a.q2.id, "not_latest"],
        ["0000000000000nosuchmessage0", "not_found"],
      ] as const) {
        const answer = await request(a.socket, "message:regenerate", { threadId: a.threadId, messageId });
        expect(answer).toEqual({ ok: false, error: { code, message: expect.any(String), threadId: a.threadId } });
      }
      expect(runs).toHaveLength(2);
      expect((await allRows(a.threadId)).every((row) => row.replaced_at === null)).toBe(true);
    });
  });

  it("neither edit nor regenerate while a reply is being written (busy); both work once it ends", async () => {
    await start();
    const a = await twoExchanges();
    const open = gate();
    hold = open.opened;
    const pending = request(a.socket, "message:regenerate", { threadId: a.threadId, messageId: a.r2.id });
    expect((await pending).ok).toBe(true);
    await eventually("the app running", () => runs.length === 3);
    const edit = await request(a.socket, "message:edit", { threadId: a.threadId, messageId: a.q2.id, content: "now" });
    expect(edit.error.code).toBe("busy");
    const again = await request(a.socket, "message:regenerate", { threadId: a.threadId, messageId: a.r2.id });
    expect(again.error.code).toBe("busy");
    hold = null;
    open.open();
    await a.log.waitFor((e) => e.event === "thread:idle" && a.log.of("thread:idle").length >= 3);
    expect(await visible(a.client, a.threadId)).toEqual(["q1", "reply 1 to q1", "q2", "reply 3 to q2"]);
  });

  it("another user can neither edit nor regenerate alice's thread: not_found, and alice's thread is untouched", async () => {
    await start();
    const a = await twoExchanges("alice");
    const bob = await user("bob");
    const edit = await request(bob.socket, "message:edit", { threadId: a.threadId, messageId: a.q2.id, content: "pwned" });
    const regenerate = await request(bob.socket, "message:regenerate", { threadId: a.threadId, messageId: a.r2.id });
    expect(edit).toEqual({ ok: false, error: { code: "not_found", message: "No such thread", threadId: a.threadId } });
    expect(regenerate).toEqual(edit);
    expect(await visible(a.client, a.threadId)).toEqual(["q1", "reply 1 to q1", "q2", "reply 2 to q2"]);
    expect(runs).toHaveLength(2);
    expect(a.log.of("message:replaced")).toEqual([]);
  });

  it("a replaced reply takes no feedback (404), and thread search no longer finds replaced text", async () => {
    await start();
    const a = await twoExchanges();
    await act(a.socket, a.log, "message:regenerate", { threadId: a.threadId, messageId: a.r2.id });
    const rated = await a.client.request("PUT", `/api/messages/${a.r2.id}/feedback`, { json: { value: 1 } });
    expect(rated.status).toBe(404);
    expect((await a.client.get("/api/threads?q=reply%202")).body.threads).toEqual([]);
    expect((await a.client.get("/api/threads?q=reply%203")).body.threads).toHaveLength(1);
  });
});
