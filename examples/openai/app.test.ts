import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "parlor";
import { connectSocket, EventLog, request } from "../../packages/server/test/helpers/socket-client.js";
import { startTestServer, type TestServer } from "../../packages/server/test/helpers/test-server.js";

/**
 * A stand-in for an OpenAI-compatible endpoint: streams the answer as server-sent events the
 * way /v1/chat/completions does, and records what it was asked.
 */
function fakeCompletions(answer: string[]) {
  const requests: Array<{ authorization: string | undefined; body: any }> = [];
  const answerRequest = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    requests.push({ authorization: req.headers.authorization, body: JSON.parse(raw) });
    res.writeHead(200, { "content-type": "text/event-stream" });
    for (const [index, piece] of answer.entries()) {
      const chunk = {
        id: "c1",
        object: "chat.completion.chunk",
        created: 0,
        model: "fake",
        choices: [{ index: 0, delta: { content: piece }, finish_reason: index === answer.length - 1 ? "stop" : null }],
      };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    res.end("data: [DONE]\n\n");
  };
  // A request the fake cannot answer fails that request (the app sees a broken stream).
  const server = createHttpServer((req, res) => {
    answerRequest(req, res).catch((error: unknown) => res.destroy(error instanceof Error ? error : undefined));
  });
  return { server, requests };
}

describe("the OpenAI-compatible example", () => {
  const fake = fakeCompletions(["Hello", ", ", "Ada", "!"]);
  let t: TestServer;
  const saved = { ...process.env };

  beforeAll(async () => {
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    process.env.OPENAI_BASE_URL = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/v1`;
    process.env.OPENAI_API_KEY = "test-key";
    process.env.OPENAI_MODEL = "fake-model";
    process.env.PARLOR_USERS = `ada:${await hashPassword("lovelace")}`;
    const app = (await import("./app.js")).default;
    t = await startTestServer({ app });
  });
  afterAll(async () => {
    process.env = saved;
    await t?.stop();
    await new Promise((resolve) => fake.server.close(resolve));
  });

  it("logs in with an argon2id hash from PARLOR_USERS and refuses a wrong password", async () => {
    expect((await t.client().login("ada", "nope")).status).toBe(401);
    expect((await t.client().login("ada", "lovelace")).status).toBe(200);
  });

  it("streams the model's answer into the reply, with the thread as context", async () => {
    const ada = t.client();
    await ada.login("ada", "lovelace");
    const socket = await connectSocket(t, ada);
    try {
      const log = new EventLog(socket);
      const { threadId } = await request(socket, "message:send", { content: "Say hello to me" });
      await log.waitFor((e) => e.event === "message:end");
      expect(log.of("message:delta").map((d) => d.delta)).toEqual(["Hello", ", ", "Ada", "!"]);

      const asked = fake.requests.at(-1)!;
      expect(asked.authorization).toBe("Bearer test-key");
      expect(asked.body).toMatchObject({ model: "fake-model", stream: true, messages: [{ role: "user", content: "Say hello to me" }] });

      const thread = await ada.get(`/api/threads/${threadId}`);
      expect(thread.body.messages.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
        ["user", "Say hello to me"],
        ["assistant", "Hello, Ada!"],
      ]);
    } finally {
      socket.close();
    }
  });
});
