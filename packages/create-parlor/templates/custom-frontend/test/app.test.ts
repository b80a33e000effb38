import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import app from "../app.js";
import { chatClient, startApp, waitForReply, type StartedApp } from "./start-app.js";

// `npm test` builds the frontend first; app.ts serves dist/. These check that the app serves
// your page and its assets, and that the API it talks to works: a login over HTTP, then a
// message and its streamed reply over socket.io, as the page's @parlor/react hooks do.
let started: StartedApp;
before(async () => {
  started = await startApp(app);
});
after(() => started.stop());

test("serves the frontend's page and the script it loads", async () => {
  const page = await fetch(`${started.origin}/`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<title>My chat<\/title>/);
  const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(script, `no script in ${html}`);
  const asset = await fetch(`${started.origin}/${script}`);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get("content-type") ?? "", /javascript/);
});

test("logs in and gets a reply", async () => {
  const client = chatClient(started.origin);
  await client.start();
  await client.auth.login("ada", "demo");
  const chat = client.createChat();
  await chat.send("hello there");
  assert.equal(await waitForReply(chat), "You said: hello there");
  client.close();
});
