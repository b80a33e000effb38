import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { request, startFakeOpenAI, type FakeTurn } from "@parlor/test-support";
import { streamOpenAIChat, type OpenAITools } from "@parlor/llm/openai";

import { serverWith } from "./helpers.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function fakeModel(turns: FakeTurn[]) {
  const fake = await startFakeOpenAI(turns);
  closers.push(fake.close);
  return { fake, client: new OpenAI({ apiKey: "test-key", baseURL: fake.baseURL, maxRetries: 0 }) };
}

const weather: OpenAITools = {
  weather: {
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    execute: ({ city }: { city: string }) => ({ city, celsius: 21 }),
  },
};

describe("streamOpenAIChat", () => {
  it("streams the model's text into the reply, delta by delta, and stores it", async () => {
    const { fake, client } = await fakeModel([{ text: ["Hello", ", ", "Ada"] }]);
    const s = await serverWith(async (message, chat) => {
      await streamOpenAIChat(chat, { client, request: { model: "fake-model", messages: [{ role: "user", content: message.content }] } });
    });
    const { thread } = await s.chat("Say hello");
    expect(s.log.of("message:delta").map((d) => d.delta)).toEqual(["Hello", ", ", "Ada"]);
    expect(thread.messages.map((m: any) => [m.role, m.content, m.status])).toEqual([
      ["user", "Say hello", "complete"],
      ["assistant", "Hello, Ada", "complete"],
    ]);
    expect(fake.requests[0]!.authorization).toBe("Bearer test-key");
    expect(fake.requests[0]!.body).toMatchObject({ model: "fake-model", stream: true, messages: [{ role: "user", content: "Say hello" }] });
    expect(fake.requests[0]!.body.tools).toBeUndefined();
  });

  it("runs a tool call as a step and gives the model its result", async () => {
    const { fake, client } = await fakeModel([{ toolCalls: [{ name: "weather", arguments: '{"city":"Paris"}' }] }, { text: ["Sunny, ", "21 °C"] }]);
    const s = await serverWith(async (message, chat) => {
      await streamOpenAIChat(chat, { client, tools: weather, request: { model: "m", messages: [{ role: "user", content: message.content }] } });
    });
    const { thread } = await s.chat("Weather in Paris?");
    const reply = thread.messages[1];
    expect(reply.content).toBe("Sunny, 21 °C");
    expect(reply.steps).toHaveLength(1);
    expect(reply.steps[0]).toMatchObject({ name: "weather", type: "tool", input: '{"city":"Paris"}', output: '{"city":"Paris","celsius":21}', parentId: null });
    expect(reply.steps[0].status).toBe("complete");

    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[0]!.body.tools).toEqual([
      { type: "function", function: { name: "weather", description: "The weather in a city", parameters: weather.weather!.parameters } },
    ]);
    const [, assistant, tool] = fake.requests[1]!.body.messages;
    expect(assistant).toMatchObject({ role: "assistant", tool_calls: [{ type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }] });
    expect(tool).toEqual({ role: "tool", tool_call_id: assistant.tool_calls[0].id, content: '{"city":"Paris","celsius":21}' });
  });

  it("answers a call the model got wrong with an error the model can read, and marks its step failed", async () => {
    const failing: OpenAITools = {
      ...weather,
      broken: { parameters: { type: "object" }, execute: () => Promise.reject(new Error("the service is down")) },
    };
    const { fake, client } = await fakeModel([
      {
        toolCalls: [
          { name: "nope", arguments: "{}" },
          { name: "weather", arguments: '{"city":' },
          { name: "broken", arguments: "{}" },
          { name: "constructor", arguments: "{}" },
        ],
      },
      { text: ["Sorry."] },
    ]);
    const s = await serverWith(async (message, chat) => {
      await streamOpenAIChat(chat, { client, tools: failing, request: { model: "m", messages: [{ role: "user", content: message.content }] } });
    });
    const { thread } = await s.chat("Try your tools");
    const reply = thread.messages[1];
    expect(reply.content).toBe("Sorry.");
    expect(reply.steps.map((step: any) => [step.name, step.status])).toEqual([
      ["nope", "error"],
      ["weather", "error"],
      ["broken", "error"],
      ["constructor", "error"],
    ]);
    const results = fake.requests[1]!.body.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);
    expect(results).toEqual([
      'Error: there is no tool named "nope"',
      "Error: the arguments are not a JSON object",
      "Error: the service is down",
      'Error: there is no tool named "constructor"',
    ]);
  });

  it("stops calling tools after maxRounds: the last call offers none", async () => {
    const call = { toolCalls: [{ name: "weather", arguments: '{"city":"Oslo"}' }] };
    const { fake, client } = await fakeModel([call, call, { text: ["Enough."] }]);
    const s = await serverWith(async (message, chat) => {
      await streamOpenAIChat(chat, { client, tools: weather, maxRounds: 3, request: { model: "m", messages: [{ role: "user", content: message.content }] } });
    });
    const { thread } = await s.chat("Loop");
    expect(fake.requests.map((r) => r.body.tools === undefined)).toEqual([false, false, true]);
    expect(thread.messages[1].steps).toHaveLength(2);
    expect(thread.messages[1].content).toBe("Enough.");
  });

  it("forwards the user's stop to the provider request and keeps what was written", async () => {
    const { fake, client } = await fakeModel([{ text: ["one ", "two ", "three ", "four ", "five "], delayMs: 150 }]);
    const s = await serverWith(async (message, chat) => {
      await streamOpenAIChat(chat, { client, request: { model: "m", messages: [{ role: "user", content: message.content }] } });
    });
    const { threadId } = await request(s.socket, "message:send", { content: "Count" });
    await s.log.waitFor((e) => e.event === "message:delta");
    s.socket.emit("message:stop", { threadId });
    const end = await s.log.waitFor((e) => e.event === "message:end", 10_000);
    expect(end.data.status).toBe("stopped");
    await expect.poll(() => fake.requests[0]!.aborted).toBe(true);
    const reply = (await s.user.get(`/api/threads/${threadId}`)).body.messages[1];
    expect(reply.status).toBe("stopped");
    expect(reply.content.length).toBeGreaterThan(0);
    expect("one two three four five ".startsWith(reply.content)).toBe(true);
    expect(reply.content).not.toBe("one two three four five ");
  });
});
