import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fakeOpenAI, type FakeOpenAI } from "./fake-openai.js";
import { chatClient, startApp, waitForReply, type StartedApp } from "./start-app.js";

// The app against a fake OpenAI-compatible endpoint on loopback: no network, no API key.
let fake: FakeOpenAI;
let started: StartedApp;
before(async () => {
  fake = await fakeOpenAI(["Hello", ", ", "Ada", "!"]);
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
