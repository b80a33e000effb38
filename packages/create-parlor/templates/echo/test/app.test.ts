import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import app from "../app.js";
import { chatClient, startApp, waitForReply, type StartedApp } from "./start-app.js";

// Starts the app on a free port with a throwaway database, then talks to it as the web UI
// does: login over HTTP, then a message and its streamed reply over socket.io.
let started: StartedApp;
before(async () => {
  started = await startApp(app);
});
after(() => started.stop());

test("refuses a wrong password", async () => {
  const client = chatClient(started.origin);
  await assert.rejects(client.auth.login("ada", "wrong"), { code: "invalid_credentials" });
  client.close();
});

test("logs in and echoes a message back", async () => {
  const client = chatClient(started.origin);
  await client.start();
  await client.auth.login("ada", "demo");
  const chat = client.createChat();
  await chat.send("hello there");
  assert.equal(await waitForReply(chat), "You said: hello there");
  client.close();
});
