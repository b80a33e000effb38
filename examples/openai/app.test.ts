import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "parlor";
import { connectSocket, EventLog, request, startFakeOpenAI, startTestServer, type TestServer } from "@parlor/test-support";

describe("the OpenAI-compatible example", () => {
  let fake: Awaited<ReturnType<typeof startFakeOpenAI>>;
  let t: TestServer;
  const saved = { ...process.env };

  beforeAll(async () => {
    // The model's scripted answers, in order: a plain answer, then a tool call and the answer after it.
    fake = await startFakeOpenAI([
      { text: ["Hello", ", ", "Ada", "!"] },
      { toolCalls: [{ name: "current_time", arguments: "{}" }] },
      { text: ["It is late."] },
    ]);
    process.env.OPENAI_BASE_URL = fake.baseURL;
    process.env.OPENAI_API_KEY = "test-key";
    process.env.OPENAI_MODEL = "fake-model";
    process.env.PARLOR_USERS = `ada:${await hashPassword("lovelace")}`;
    const app = (await import("./app.js")).default;
    t = await startTestServer({ app });
  });
  afterAll(async () => {
    process.env = saved;
    await t?.stop();
    await fake?.close();
  });

  it("logs in with an argon2id hash from PARLOR_USERS and refuses a wrong password", async () => {
    expect((await t.client().login("ada", "nope")).status).toBe(401);
    expect((await t.client().login("ada", "lovelace")).status).toBe(200);
  });

  it("streams the model's answer into the reply, with the thread as context, and runs its tool calls as steps", async () => {
    const ada = t.client();
    await ada.login("ada", "lovelace");
    const socket = await connectSocket(t, ada);
    try {
      const log = new EventLog(socket);
      const { threadId } = await request(socket, "message:send", { content: "Say hello to me" });
      await log.waitFor((e) => e.event === "message:end");
      expect(log.of("message:delta").map((d) => d.delta)).toEqual(["Hello", ", ", "Ada", "!"]);

      const asked = fake.requests[0]!;
      expect(asked.authorization).toBe("Bearer test-key");
      expect(asked.body).toMatchObject({ model: "fake-model", stream: true, messages: [{ role: "user", content: "Say hello to me" }] });
      expect(asked.body.tools.map((tool: { function: { name: string } }) => tool.function.name)).toEqual(["current_time"]);

      await request(socket, "message:send", { threadId, content: "What time is it?" });
      await log.waitFor((e) => e.event === "message:end" && log.of("message:end").length === 2);
      // The second question went with the first exchange as context.
      expect(fake.requests[1]!.body.messages.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
        ["user", "Say hello to me"],
        ["assistant", "Hello, Ada!"],
        ["user", "What time is it?"],
      ]);

      const thread = await ada.get(`/api/threads/${threadId}`);
      const [, , , answer] = thread.body.messages;
      expect(answer).toMatchObject({ role: "assistant", content: "It is late.", status: "complete" });
      expect(answer.steps).toHaveLength(1);
      expect(answer.steps[0]).toMatchObject({ name: "current_time", type: "tool", status: "complete" });
      expect(Date.parse(answer.steps[0].output)).toBeGreaterThan(Date.parse("2020-01-01"));
    } finally {
      socket.close();
    }
  });
});
