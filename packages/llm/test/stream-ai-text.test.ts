import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { stepCountIs, streamText, tool } from "ai";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { request, startFakeOpenAI, type FakeTurn } from "@parlor/test-support";
import { streamAIText } from "@parlor/llm/ai-sdk";

import { serverWith } from "./helpers.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** The AI SDK's OpenAI-compatible provider, pointed at the fake endpoint. */
async function fakeModel(turns: FakeTurn[]) {
  const fake = await startFakeOpenAI(turns);
  closers.push(fake.close);
  return { fake, model: createOpenAICompatible({ name: "fake", baseURL: fake.baseURL, apiKey: "test-key" }).chatModel("fake-model") };
}

const tools = {
  weather: tool({
    description: "The weather in a city",
    inputSchema: z.object({ city: z.string() }),
    execute: ({ city }) => Promise.resolve({ city, celsius: 21 }),
  }),
  broken: tool({
    description: "Always fails",
    inputSchema: z.object({}),
    execute: (): Promise<string> => Promise.reject(new Error("the service is down")),
  }),
};

describe("streamAIText", () => {
  it("streams the text and shows each tool call as a step, from call to result", async () => {
    const { fake, model } = await fakeModel([
      {
        toolCalls: [
          { name: "weather", arguments: '{"city":"Paris"}' },
          { name: "broken", arguments: "{}" },
        ],
      },
      { text: ["Sunny, ", "21 °C"] },
    ]);
    const s = await serverWith(async (message, chat) => {
      const result = streamText({ model, tools, stopWhen: stepCountIs(3), prompt: message.content, abortSignal: chat.signal });
      await streamAIText(chat, result);
    });
    const { thread } = await s.chat("Weather in Paris?");
    const reply = thread.messages[1];
    expect(reply.content).toBe("Sunny, 21 °C");
    expect(s.log.of("message:delta").map((d) => d.delta)).toEqual(["Sunny, ", "21 °C"]);
    expect(reply.steps.map((step: any) => [step.name, step.type, step.status === "error"])).toEqual([
      ["weather", "tool", false], // [name, type, failed]
      ["broken", "tool", true],
    ]);
    expect(reply.steps[0]).toMatchObject({ input: '{"city":"Paris"}', output: '{"city":"Paris","celsius":21}' });
    expect(fake.requests).toHaveLength(2);
  });

  it("ends the reply as stopped when the user stops, and the provider request is aborted", async () => {
    const { fake, model } = await fakeModel([{ text: ["one ", "two ", "three ", "four ", "five "], delayMs: 150 }]);
    const s = await serverWith(async (message, chat) => {
      await streamAIText(chat, streamText({ model, prompt: message.content, abortSignal: chat.signal }));
    });
    const { threadId } = await request(s.socket, "message:send", { content: "Count" });
    await s.log.waitFor((e) => e.event === "message:delta");
    s.socket.emit("message:stop", { threadId });
    const end = await s.log.waitFor((e) => e.event === "message:end", 10_000);
    expect(end.data.status).toBe("stopped");
    await expect.poll(() => fake.requests[0]!.aborted).toBe(true);
  });

  it("throws a provider error, so Parlor ends the reply as failed", async () => {
    const { model } = await fakeModel([]);
    const s = await serverWith(async (message, chat) => {
      await streamAIText(chat, streamText({ model, prompt: message.content, maxRetries: 0 }));
    });
    const { thread } = await s.chat("Hello?");
    expect(thread.messages[1].status).toBe("error");
  });
});
