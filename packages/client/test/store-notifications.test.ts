import { afterEach, describe, expect, it, vi } from "vitest";
// The helpers live with the React tests for now; they start a real server on loopback.
import { browser, closeBrowsers, sleep } from "../../react/test/helpers/clients.js";
import { echoApp, PASSWORD, startParlor, type TestParlor } from "../../react/test/helpers/parlor-server.js";

let t: TestParlor;
afterEach(async () => {
  closeBrowsers();
  await t?.stop();
});

/** How often each store notified while one incoming socket event was being handled. */
interface EventRecord {
  event: string;
  chat: number;
  threads: number;
}

describe("store notifications", () => {
  it("notify each subscriber at most once per incoming event (chat and thread list)", async () => {
    t = await startParlor({
      app: echoApp({
        async onMessage(message, chat) {
          const reply = chat.reply();
          for (const word of message.content.split(" ")) {
            await reply.stream(`${word} `);
            await sleep(5);
          }
          await reply.end();
        },
      }),
    });
    const { client } = browser(t);
    await client.start();
    await client.auth.login("alice", PASSWORD);
    await vi.waitFor(() => expect(client.connection.getSnapshot().state).toBe("connected"), { timeout: 2000 });

    const chat = client.createChat();
    const threads = client.createThreadList();
    let current: EventRecord | null = null;
    const records: EventRecord[] = [];
    // Notifications outside any socket event: the send itself, and its acknowledgement.
    const outside = { chat: 0, threads: 0 };
    chat.subscribe(() => void (current ? current.chat++ : outside.chat++));
    threads.subscribe(() => void (current ? current.threads++ : outside.threads++));
    // The connection's own listener was added when the socket was made, so these two
    // bracket it: every notification in between comes from handling that one event.
    const socket = client.socket!;
    socket.prependAny((event: string) => {
      current = { event, chat: 0, threads: 0 };
    });
    socket.onAny(() => {
      if (current) records.push(current);
      current = null;
    });

    const idle = () => vi.waitFor(() => expect(chat.getSnapshot().status).toBe("idle"), { timeout: 5000 });
    const { threadId } = await chat.send("one two three");
    await idle();
    await vi.waitFor(() => expect(threads.getSnapshot().threads.map((thread) => thread.id)).toContain(threadId));

    // The second exchange is in a known thread: every event applies live, none is buffered.
    records.length = 0;
    outside.chat = outside.threads = 0;
    await chat.send("four five six");
    await idle();
    await vi.waitFor(() => expect(records.map((record) => record.event)).toContain("thread:idle"));

    const ours = records.filter((record) => record.event.startsWith("message:"));
    expect(ours.map((record) => record.event)).toEqual(expect.arrayContaining(["message:new", "message:delta", "message:end"]));
    for (const record of records) {
      expect(record.chat, `chat notifications for ${record.event}`).toBeLessThanOrEqual(1);
      expect(record.threads, `thread list notifications for ${record.event}`).toBeLessThanOrEqual(1);
    }
    // One for the message shown at once (pending), one when the acknowledgement confirms it.
    expect(outside).toEqual({ chat: 2, threads: 0 });
    // Held back is not lost: each change to the shown thread is one notification.
    for (const record of ours) expect(record.chat, `chat notifications for ${record.event}`).toBe(1);
    expect(chat.getSnapshot().messages.map((message) => [message.role, message.content.trim(), message.status])).toEqual([
      ["user", "one two three", "complete"],
      ["assistant", "one two three", "complete"],
      ["user", "four five six", "complete"],
      ["assistant", "four five six", "complete"],
    ]);
  });
});
