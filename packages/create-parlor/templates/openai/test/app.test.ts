import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fakeOpenAI, type FakeOpenAI } from "./fake-openai.js";
import { chatClient, startApp, waitForReply, type StartedApp } from "./start-app.js";

// The app against a fake OpenAI-compatible endpoint on loopback: no network, no API key.
let fake: FakeOpenAI;
let started: StartedApp;
before(async () => {
  // Scripted answers, in order: a greeting, then a call of the current_time tool and the answer after it.
  fake = await fakeOpenAI([{ text: ["Hello", ", ", "Ada", "!"] }, { toolCall: "current_time" }, { text: ["It is late."] }]);
  // app.ts reads these when it is imported.
  process.env.OPENAI_BASE_URL = fake.baseUrl;
  process.env.OPENAI_API_KEY = "test-key";
  process.env.OPENAI_MODEL = "test-model";
  const { default: app } = await import("../app.js");
  started = await startApp(app);
});
after(async () => {
  await started?.stop();
  await fake?.close();
});

test("streams the model's answer into the reply, with the thread as context", async () => {
  const client = chatClient(started.origin);
  await client.start();
  await client.auth.login("ada", "demo");
  const chat = client.createChat();
  await chat.send("Hi, I am Ada");
  assert.equal(await waitForReply(chat), "Hello, Ada!");
  client.close();

  const [request] = fake.requests;
  assert.equal(request?.authorization, "Bearer test-key");
  assert.equal(request?.body.model, "test-model");
  assert.equal(request?.body.stream, true);
  assert.deepEqual(request?.body.messages.at(-1), { role: "user", content: "Hi, I am Ada" });
});

test("runs the model's tool call as a step of the reply and gives the model its result", async () => {
  const client = chatClient(started.origin);
  await client.start();
  await client.auth.login("ada", "demo");
  const chat = client.createChat();
  await chat.send("What time is it?");
  assert.equal(await waitForReply(chat), "It is late.");
  const reply = chat.getSnapshot().messages.at(-1);
  client.close();

  assert.equal(reply?.steps.length, 1);
  assert.equal(reply?.steps[0]?.name, "current_time");
  assert.equal(reply?.steps[0]?.status, "complete");
  const toolResult = fake.requests[2]?.body.messages.at(-1);
  assert.equal(toolResult?.role, "tool");
  assert.ok(Date.parse(toolResult?.content) > Date.parse("2020-01-01"), "the model got the tool's result");
});
