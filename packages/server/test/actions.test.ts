import { dialects, echoApp, EventLog, featureApp, request, startTestServer, type ClientSocket, type TestClient, type TestServer } from "@parlor/test-support";
import { describe, expect, it } from "vitest";

/** A well-formed id that no record has. */
const MADE_UP_ID = "0000000000000nosuchaction00";

describe.each(dialects)("actions on $name", (dialect) => {
  let t: TestServer;
  let app: ReturnType<typeof featureApp>;

  const start = async () => {
    app = featureApp();
    t = await startTestServer({ dialect, app });
  };
  async function chatting(name = "alice"): Promise<{ client: TestClient; socket: ClientSocket; log: EventLog }> {
    const client = await t.loggedIn(name);
    const socket = await t.connect(client);
    return { client, socket, log: new EventLog(socket) };
  }
  const idle = (log: EventLog, threadId: string, after = 0) =>
    log.waitFor((e) => e.event === "thread:idle" && e.data.threadId === threadId && log.events.indexOf(e) >= after);
  /** Sends `/choose` (or `/choose-once`) and returns the message with its actions. */
  async function choose(socket: ClientSocket, log: EventLog, command = "/choose") {
    const { threadId } = await request(socket, "message:send", { content: command });
    await idle(log, threadId);
    const { messageId, actions } = log.of("message:actions").at(-1);
    return { threadId, messageId, red: actions[0], blue: actions[1] };
  }
  const messages = async (client: TestClient, threadId: string) => (await client.get(`/api/threads/${threadId}`)).body.messages;

  it("shows the client each action's id, name and label, never its payload, and a click runs onAction with the payload", async () => {
    await start();
    const { client, socket, log } = await chatting();
    const { threadId, messageId, red, blue } = await choose(socket, log);
    expect(red).toEqual({ id: expect.any(String), name: "pick", label: "Red" });
    expect(blue).toEqual({ id: expect.any(String), name: "pick", label: "Blue" });
    const stored = await messages(client, threadId);
    expect(stored[1]).toMatchObject({ content: "Pick a color", actions: [red, blue] });
    expect(JSON.stringify(log.events) + JSON.stringify(stored)).not.toContain("payload-secret");

    const before = log.events.length;
    expect(await request(socket, "action:run", { messageId, actionId: blue.id })).toEqual({ ok: true, threadId });
    await idle(log, threadId, before);
    expect((await messages(client, threadId)).map((m: { content: string }) => m.content)).toEqual(["/choose", "Pick a color", "You chose blue"]);
    // Not `once`: it can run again, and nothing marks it used.
    expect((await messages(client, threadId))[1].actions).toEqual([red, blue]);
  });

  it("answers unknown_action for another user's action, a forged id or a mismatched pair, and runs nothing", async () => {
    await start();
    const alice = await chatting("alice");
    const { threadId, messageId, red } = await choose(alice.socket, alice.log);
    const bob = await chatting("bob");
    const unknown = { ok: false, error: { code: "unknown_action", message: expect.any(String) } };
    expect(await request(bob.socket, "action:run", { messageId, actionId: red.id })).toEqual(unknown);
    expect(await request(alice.socket, "action:run", { messageId, actionId: MADE_UP_ID })).toEqual(unknown);
    expect(await request(alice.socket, "action:run", { messageId: MADE_UP_ID, actionId: red.id })).toEqual(unknown);
    // The user message's id with a real action of another message.
    const userMessage = (await messages(alice.client, threadId))[0].id;
    expect(await request(alice.socket, "action:run", { messageId: userMessage, actionId: red.id })).toEqual(unknown);
    for (const bad of [{}, { messageId }, { messageId, actionId: 5 }, { messageId, actionId: "../x" }, "nope", null]) {
      expect(await request(alice.socket, "action:run", bad)).toMatchObject({ ok: false, error: { code: "invalid_request" } });
    }
    expect(await messages(alice.client, threadId)).toHaveLength(2);
    expect(bob.log.of("message:new")).toEqual([]);
  });

  it("runs a once action once: it shows as used, and a second click answers action_used", async () => {
    await start();
    const { client, socket, log } = await chatting();
    const { threadId, messageId, red, blue } = await choose(socket, log, "/choose-once");
    const before = log.events.length;
    expect(await request(socket, "action:run", { messageId, actionId: red.id })).toMatchObject({ ok: true });
    await idle(log, threadId, before);
    expect(log.of("message:actions").at(-1)).toEqual({ threadId, messageId, actions: [{ ...red, used: true }, blue] });
    expect((await messages(client, threadId))[1].actions).toEqual([{ ...red, used: true }, blue]);

    expect(await request(socket, "action:run", { messageId, actionId: red.id })).toMatchObject({ ok: false, error: { code: "action_used" } });
    expect((await messages(client, threadId)).map((m: { content: string }) => m.content)).toEqual(["/choose-once", "Pick a color", "You chose red"]);
  });

  it("runs a once action clicked twice at once exactly one time", async () => {
    await start();
    const { client, socket, log } = await chatting();
    const { threadId, messageId, red } = await choose(socket, log, "/choose-once");
    const second = await t.connect(client);
    const answers = await Promise.all([
      request(socket, "action:run", { messageId, actionId: red.id }),
      request(second, "action:run", { messageId, actionId: red.id }),
    ]);
    expect(answers.filter((answer) => answer.ok)).toHaveLength(1);
    expect(["action_used", "busy"]).toContain(answers.find((answer) => !answer.ok).error.code);
    await log.waitFor((e) => e.event === "message:new" && e.data.content === "You chose red");
    await idle(
      log,
      threadId,
      log.events.findIndex((e) => e.data?.content === "You chose red"),
    );
    expect((await messages(client, threadId)).filter((m: { content: string }) => m.content === "You chose red")).toHaveLength(1);
  });

  it("answers busy while a reply runs in the thread", async () => {
    await start();
    const { socket, log } = await chatting();
    const { threadId, messageId, red } = await choose(socket, log);
    await request(socket, "message:send", { threadId, content: "/hold" });
    await log.waitFor((e) => e.event === "step:start");
    expect(await request(socket, "action:run", { messageId, actionId: red.id })).toMatchObject({ ok: false, error: { code: "busy" } });
    const held = log.events.length;
    app.release();
    await idle(log, threadId, held);
    expect(log.of("message:update").at(-1)).toMatchObject({ content: "done" });
  });
});

describe("action.markUsed", () => {
  it("lets onAction mark any action used: its button shows used, and it cannot run again", async () => {
    const app = echoApp({
      async onMessage(_message, chat) {
        const reply = chat.reply();
        await reply.actions([{ name: "confirm", label: "Confirm" }]);
        await reply.end();
      },
      async onAction(action, chat) {
        await action.markUsed();
        await chat.send(`confirmed by ${action.name}`);
      },
    });
    const t = await startTestServer({ app });
    const client = await t.loggedIn();
    const socket = await t.connect(client);
    const log = new EventLog(socket);
    const { threadId } = await request(socket, "message:send", { content: "go" });
    await log.waitFor((e) => e.event === "thread:idle");
    const { messageId, actions } = log.of("message:actions")[0];
    expect(actions).toEqual([{ id: expect.any(String), name: "confirm", label: "Confirm" }]);

    const before = log.events.length;
    expect(await request(socket, "action:run", { messageId, actionId: actions[0].id })).toMatchObject({ ok: true });
    await log.waitFor((e) => e.event === "thread:idle" && log.events.indexOf(e) >= before);
    expect(log.of("message:actions").at(-1)).toEqual({ threadId, messageId, actions: [{ ...actions[0], used: true }] });
    expect(await request(socket, "action:run", { messageId, actionId: actions[0].id })).toMatchObject({ ok: false, error: { code: "action_used" } });
  });
});

describe("reply.actions' definitions", () => {
  it("refuses actions without onAction, or malformed, with a TypeError and stores none", async () => {
    const refusals: string[] = [];
    const tryActions = async (reply: { actions: (...args: never[]) => Promise<unknown> }, ...args: unknown[]) => {
      try {
        await reply.actions(...(args as never[]));
      } catch (error) {
        refusals.push(`${(error as Error).name}: ${(error as Error).message}`);
      }
    };
    const withoutOnAction = echoApp({
      async onMessage(_message, chat) {
        const reply = chat.reply();
        await tryActions(reply, [{ name: "a", label: "A" }]);
        await reply.end();
      },
    });
    const t1 = await startTestServer({ app: withoutOnAction });
    const s1 = await t1.connect(await t1.loggedIn());
    const log1 = new EventLog(s1);
    await request(s1, "message:send", { content: "go" });
    await log1.waitFor((e) => e.event === "thread:idle");
    expect(refusals).toEqual(["TypeError: reply.actions() needs the app's onAction, which runs them"]);

    refusals.length = 0;
    const malformed = echoApp({
      async onMessage(_message, chat) {
        const reply = chat.reply();
        await tryActions(reply, []);
        await tryActions(reply, [{ name: "", label: "A" }]);
        await tryActions(reply, [{ name: "a", label: "A", payload: () => 1 }]);
        await tryActions(reply, [{ name: "a", label: "A", payload: "x".repeat(17 * 1024) }]);
        await tryActions(reply, [{ name: "a", label: "A" }], { once: "yes" });
        await reply.end();
      },
      onAction: () => undefined,
    });
    const t2 = await startTestServer({ app: malformed });
    const s2 = await t2.connect(await t2.loggedIn());
    const log2 = new EventLog(s2);
    await request(s2, "message:send", { content: "go" });
    await log2.waitFor((e) => e.event === "thread:idle");
    expect(refusals).toHaveLength(5);
    for (const refusal of refusals) expect(refusal).toMatch(/^TypeError: actions: /);
    expect(log2.of("message:actions")).toEqual([]);
    expect(await t2.server.db.selectFrom("message_actions").select("id").execute()).toEqual([]);
  });
});
