import { defineApp } from "parlor";
import { dialects, echoApp, EventLog, featureApp, request, startTestServer, type ClientSocket, type TestClient, type TestServer } from "@parlor/test-support";
import { describe, expect, it } from "vitest";

const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT/);

describe.each(dialects)("chat.step on $name", (dialect) => {
  let t: TestServer;
  let app: ReturnType<typeof featureApp>;

  async function chatting(name = "alice"): Promise<{ client: TestClient; socket: ClientSocket; log: EventLog }> {
    const client = await t.loggedIn(name);
    const socket = await t.connect(client);
    return { client, socket, log: new EventLog(socket) };
  }
  const start = async () => {
    app = featureApp();
    t = await startTestServer({ dialect, app });
  };
  const idle = (log: EventLog, threadId: string) => log.waitFor((e) => e.event === "thread:idle" && e.data.threadId === threadId);

  it("streams a step and the step nested in it live, then stores both with the reply they led to", async () => {
    await start();
    const { client, socket, log } = await chatting();
    const { threadId } = await request(socket, "message:send", { content: "/search cats" });
    await idle(log, threadId);

    const [search, rank] = log.of("step:start").map((event) => event.step);
    const reply = log.of("message:new").find((event) => event.role === "assistant");
    expect(search).toEqual({
      id: expect.any(String),
      parentId: null,
      name: "search",
      type: "retrieval",
      input: "cats",
      output: "",
      status: "running",
      startedAt: iso,
      endedAt: null,
    });
    expect(rank).toMatchObject({ parentId: search.id, name: "rank", type: "tool", input: '{"top":2}', status: "running" });
    expect(log.of("step:delta")).toEqual([{ threadId, messageId: reply.messageId, stepId: search.id, delta: "2 documents", offset: 0 }]);
    expect(log.of("step:end")).toEqual([
      { threadId, messageId: reply.messageId, stepId: rank.id, output: "ranked", status: "complete", endedAt: iso },
      { threadId, messageId: reply.messageId, stepId: search.id, output: "2 documents", status: "complete", endedAt: iso },
    ]);
    // Every step event comes between the reply's message:new and its message:end.
    const at = (predicate: (e: { event: string; data: any }) => boolean) => log.events.findIndex(predicate);
    expect(at((e) => e.event === "message:new" && e.data.role === "assistant")).toBeLessThan(at((e) => e.event === "step:start"));
    expect(log.events.findLastIndex((e) => e.event === "step:end")).toBeLessThan(at((e) => e.event === "message:end"));
    // One reply: the steps and the answer they led to.
    expect(log.of("message:new").filter((event) => event.role === "assistant")).toHaveLength(1);

    const thread = (await client.get(`/api/threads/${threadId}`)).body;
    expect(thread.messages.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
      ["user", "/search cats"],
      ["assistant", "Found 2 results for cats"],
    ]);
    expect(thread.messages[0].steps).toEqual([]);
    expect(thread.messages[1].steps).toEqual([
      { ...search, output: "2 documents", status: "complete", endedAt: iso },
      { ...rank, output: "ranked", status: "complete", endedAt: iso },
    ]);
  });

  it("ends a step that throws as error with what it streamed; the app catches the error and goes on", async () => {
    await start();
    const { client, socket, log } = await chatting();
    const { threadId } = await request(socket, "message:send", { content: "/fail" });
    await idle(log, threadId);
    const thread = (await client.get(`/api/threads/${threadId}`)).body;
    const reply = thread.messages[1];
    expect(reply).toMatchObject({ role: "assistant", content: "recovered", status: "complete" });
    expect(reply.steps).toEqual([expect.objectContaining({ name: "lookup", output: "trying", status: "error", endedAt: iso })]);
  });

  it("shows a running step with its text so far to a resume, and a stop ends it as stopped", async () => {
    await start();
    const { client, socket, log } = await chatting();
    const { threadId } = await request(socket, "message:send", { content: "/hold plans" });
    await log.waitFor((e) => e.event === "step:delta");

    const other = await t.connect(client);
    const resumed = await request(other, "thread:resume", { threadId });
    const live = resumed.thread.messages.at(-1);
    expect(live).toMatchObject({ role: "assistant", status: "streaming" });
    expect(live.steps).toEqual([
      expect.objectContaining({ name: "think", type: "reasoning", input: "plans", output: "working…", status: "running", endedAt: null }),
    ]);

    socket.emit("message:stop", { threadId });
    await idle(log, threadId);
    expect(log.of("step:end")).toEqual([expect.objectContaining({ output: "working…", status: "stopped" })]);
    const stored = (await client.get(`/api/threads/${threadId}`)).body.messages.at(-1);
    expect(stored).toMatchObject({ status: "stopped", steps: [expect.objectContaining({ status: "stopped", output: "working…" })] });
  });

  it("keeps steps to their owner: another user's thread is 404, and deleting the thread deletes its steps", async () => {
    await start();
    const { client, socket, log } = await chatting("alice");
    const { threadId } = await request(socket, "message:send", { content: "/search dogs" });
    await idle(log, threadId);
    const bob = await t.loggedIn("bob");
    expect((await bob.get(`/api/threads/${threadId}`)).status).toBe(404);
    const bobSocket = await t.connect(bob);
    expect(await request(bobSocket, "thread:resume", { threadId })).toMatchObject({ ok: false, error: { code: "not_found" } });

    expect(await t.server.db.selectFrom("message_steps").select("id").execute()).toHaveLength(2);
    expect((await client.delete(`/api/threads/${threadId}`)).status).toBe(204);
    expect(await t.server.db.selectFrom("message_steps").select("id").execute()).toEqual([]);
  });
});

describe("chat.step's definition and ui.steps", () => {
  it("refuses a bad step definition with a TypeError before anything is stored", async () => {
    const refusals: string[] = [];
    const app = echoApp({
      async onMessage(_message, chat) {
        for (const options of [{ name: "" }, { name: "x", type: "magic" }, { name: "x", extra: 1 }, { name: 5 }]) {
          try {
            await chat.step(options as never, () => "never");
          } catch (error) {
            refusals.push(`${(error as Error).name}: ${(error as Error).message}`);
          }
        }
        await chat.send("checked");
      },
    });
    const t = await startTestServer({ app });
    const client = await t.loggedIn();
    const socket = await t.connect(client);
    const log = new EventLog(socket);
    await request(socket, "message:send", { content: "go" });
    await log.waitFor((e) => e.event === "thread:idle");
    expect(refusals).toHaveLength(4);
    for (const refusal of refusals) expect(refusal).toMatch(/^TypeError: chat\.step: /);
    expect(log.of("step:start")).toEqual([]);
    expect(await t.server.db.selectFrom("message_steps").select("id").execute()).toEqual([]);
  });

  it("tells the web UI how to show steps in /auth/config: collapsed by default, or as the app says", async () => {
    const byDefault = await startTestServer();
    expect((await byDefault.client().get("/auth/config")).body.ui).toEqual({ steps: "collapsed" });
    const expanded = await startTestServer({ app: featureApp({ ui: { steps: "expanded" } }) });
    expect((await expanded.client().get("/auth/config")).body.ui).toEqual({ steps: "expanded" });
  });

  it("fails at start-up on a ui it does not know", () => {
    const base = { name: "X", auth: { password: () => null }, onMessage: () => undefined };
    expect(() => defineApp({ ...base, ui: { steps: "folded" } as never })).toThrow(/ui\.steps/);
    expect(() => defineApp({ ...base, ui: { stpes: "hidden" } as never })).toThrow(/ui/);
  });
});
