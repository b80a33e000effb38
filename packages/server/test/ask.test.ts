import { dialects, EventLog, featureApp, request, startTestServer, type ClientSocket, type TestClient, type TestServer } from "@parlor/test-support";
import { describe, expect, it } from "vitest";
import { PNG } from "./helpers/sample-files.js";

const form = (bytes: Buffer | string, name: string, type: string) => {
  const data = new FormData();
  data.append("file", new Blob([typeof bytes === "string" ? bytes : new Uint8Array(bytes)], { type }), name);
  return data;
};

describe.each(dialects)("chat.ask on $name", (dialect) => {
  let t: TestServer;

  const start = async (askTimeout?: number) => {
    t = await startTestServer({ dialect, app: featureApp(askTimeout === undefined ? {} : { askTimeout }) });
  };
  async function chatting(name = "alice"): Promise<{ client: TestClient; socket: ClientSocket; log: EventLog }> {
    const client = await t.loggedIn(name);
    const socket = await t.connect(client);
    return { client, socket, log: new EventLog(socket) };
  }
  /** Sends the command and waits for its question; returns the question's message id. */
  async function asked(socket: ClientSocket, log: EventLog, command: string) {
    const { threadId } = await request(socket, "message:send", { content: command });
    const question = await log.waitFor((e) => e.event === "message:ask" && e.data.threadId === threadId);
    return { threadId, questionId: question.data.messageId as string, ask: question.data.ask };
  }
  /** Waits for the app's reply `text` and for the end of its run (the reply is stored by then). */
  const answered = async (log: EventLog, text: string) => {
    const reply = await log.waitFor((e) => e.event === "message:new" && e.data.role === "assistant" && e.data.content === text);
    await log.waitFor((e) => e.event === "thread:idle" && log.events.indexOf(e) > log.events.indexOf(reply));
  };
  const thread = async (client: TestClient, threadId: string) => (await client.get(`/api/threads/${threadId}`)).body;

  it("asks for text: the question is a pending message of the thread, and the user's next message answers it instead of starting a reply", async () => {
    await start();
    const { client, socket, log } = await chatting();
    const { threadId, questionId, ask } = await asked(socket, log, "/ask-text");
    expect(ask).toEqual({ type: "text", status: "pending", accept: [], expiresAt: expect.any(String) });
    const pending = await thread(client, threadId);
    expect(pending.messages[1]).toMatchObject({ id: questionId, role: "assistant", content: "What is your name?", status: "complete", ask });

    const sent = await request(socket, "message:send", { threadId, content: "Ada" });
    expect(sent).toEqual({ ok: true, threadId, messageId: expect.any(String) });
    await answered(log, "Hello Ada");
    const after = await thread(client, threadId);
    expect(after.messages.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
      ["user", "/ask-text"],
      ["assistant", "What is your name?"],
      ["user", "Ada"],
      ["assistant", "Hello Ada"],
    ]);
    expect(after.messages[2]).toMatchObject({ id: sent.messageId, parentId: questionId });
    expect(after.messages[1].ask.status).toBe("answered");
    expect(log.of("message:ask").map((event) => event.ask.status)).toEqual(["pending", "answered"]);
  });

  it("asks for a choice: a click on one of the question's buttons answers it once; the buttons are used after", async () => {
    await start();
    const { client, socket, log } = await chatting();
    const { threadId, questionId } = await asked(socket, log, "/ask-action");
    const { actions } = log.of("message:actions").find((event) => event.messageId === questionId);
    expect(actions.map((action: { label: string }) => action.label)).toEqual(["Small", "Large"]);
    // A message does not answer a choice: the thread is busy with the question.
    expect(await request(socket, "message:send", { threadId, content: "large" })).toMatchObject({ ok: false, error: { code: "busy" } });

    expect(await request(socket, "action:run", { messageId: questionId, actionId: actions[1].id })).toEqual({ ok: true, threadId });
    await answered(log, 'Picked large ({"size":"L"})');
    expect(await request(socket, "action:run", { messageId: questionId, actionId: actions[0].id })).toMatchObject({ ok: false, error: { code: "ask_closed" } });
    const question = (await thread(client, threadId)).messages[1];
    expect(question.ask.status).toBe("answered");
    expect(question.actions.every((action: { used?: boolean }) => action.used === true)).toBe(true);
  });

  it("asks for a file: only an upload of an accepted type answers, and a refused answer stores nothing", async () => {
    await start();
    const { client, socket, log } = await chatting();
    const { threadId, ask } = await asked(socket, log, "/ask-file");
    expect(ask).toMatchObject({ type: "file", accept: ["image/*"] });
    expect(await request(socket, "message:send", { threadId, content: "here" })).toMatchObject({ ok: false, error: { code: "invalid_request" } });
    const text = (await client.post("/api/files", { form: form("just text", "notes.txt", "text/plain") })).body;
    const refused = await request(socket, "message:send", { threadId, content: "", fileIds: [text.id] });
    expect(refused).toMatchObject({ ok: false, error: { code: "invalid_request", message: expect.stringContaining("image/*") } });
    expect((await thread(client, threadId)).messages).toHaveLength(2);
    expect((await t.server.db.selectFrom("files").select("message_id").where("id", "=", text.id).executeTakeFirstOrThrow()).message_id).toBeNull();

    const image = (await client.post("/api/files", { form: form(PNG, "photo.png", "image/png") })).body;
    expect(await request(socket, "message:send", { threadId, content: "", fileIds: [image.id] })).toMatchObject({ ok: true });
    await answered(log, "Got photo.png (image/png)");
    expect((await thread(client, threadId)).messages[2].files).toEqual([expect.objectContaining({ id: image.id })]);
  });

  it("lets only the thread's owner answer: another user's message is not_found, their click unknown_action", async () => {
    await start();
    const alice = await chatting("alice");
    const { threadId, questionId } = await asked(alice.socket, alice.log, "/ask-action");
    const { actions } = alice.log.of("message:actions").find((event) => event.messageId === questionId);
    const bob = await chatting("bob");
    expect(await request(bob.socket, "action:run", { messageId: questionId, actionId: actions[0].id })).toMatchObject({
      ok: false,
      error: { code: "unknown_action" },
    });
    expect(await request(bob.socket, "message:send", { threadId, content: "Mallory" })).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect((await thread(alice.client, threadId)).messages[1].ask.status).toBe("pending");
    expect(alice.log.of("message:ask")).toHaveLength(1);
    // Ends the question here rather than waiting for it during the server's shutdown.
    alice.socket.emit("message:stop", { threadId });
    await alice.log.waitFor((e) => e.event === "message:ask" && e.data.ask.status === "cancelled");
  });

  it("answers null when the time runs out: the question shows expired, and a late message starts a new reply", async () => {
    await start(150);
    const { client, socket, log } = await chatting();
    const { threadId } = await asked(socket, log, "/ask-text");
    await answered(log, "No answer");
    expect(log.of("message:ask").map((event) => event.ask.status)).toEqual(["pending", "expired"]);
    await request(socket, "message:send", { threadId, content: "late" });
    await answered(log, "late");
    expect((await thread(client, threadId)).messages[1].ask.status).toBe("expired");
  });

  it("cancels the question when the user stops the reply", async () => {
    await start();
    const { client, socket, log } = await chatting();
    const { threadId } = await asked(socket, log, "/ask-text");
    socket.emit("message:stop", { threadId });
    await log.waitFor((e) => e.event === "message:ask" && e.data.ask.status === "cancelled");
    await log.waitFor((e) => e.event === "thread:idle");
    expect((await thread(client, threadId)).messages[1].ask.status).toBe("cancelled");
  });
});

describe("chat.ask's options", () => {
  it("refuses a malformed question with a TypeError before anything is stored", async () => {
    const refusals: string[] = [];
    const app = featureApp();
    const bad = [
      { type: "voice", content: "?" },
      { type: "text" },
      { type: "text", content: "?", timeout: 0 },
      { type: "text", content: "?", timeout: 2 * 60 * 60_000 },
      { type: "file", content: "?", accept: ["images"] },
      { type: "action", content: "?", actions: [] },
    ];
    const t = await startTestServer({
      app: {
        ...app,
        onMessage: async (_message, chat) => {
          for (const options of bad) {
            try {
              await chat.ask(options as never);
            } catch (error) {
              refusals.push(`${(error as Error).name}: ${(error as Error).message}`);
            }
          }
          await chat.send("checked");
        },
      },
    });
    const socket = await t.connect(await t.loggedIn());
    const log = new EventLog(socket);
    await request(socket, "message:send", { content: "go" });
    await log.waitFor((e) => e.event === "thread:idle");
    expect(refusals).toHaveLength(bad.length);
    for (const refusal of refusals) expect(refusal).toMatch(/^TypeError: (chat\.ask|actions): /);
    expect(await t.server.db.selectFrom("message_asks").select("message_id").execute()).toEqual([]);
    expect(log.of("message:new").map((event) => event.content)).toEqual(["go", "checked"]);
  });
});
