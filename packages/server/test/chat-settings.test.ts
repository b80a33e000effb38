import { describe, expect, it } from "vitest";
import type { Chat, ChatSettingValues } from "../src/index.js";
import { dialects, echoApp, eventually, EventLog, request, startTestServer, type ClientSocket, type TestServer } from "@parlor/test-support";

const settings = [
  {
    id: "model",
    type: "select" as const,
    label: "Model",
    options: [
      { value: "small", label: "Small" },
      { value: "large", label: "Large" },
    ],
    default: "small",
  },
  { id: "temperature", type: "slider" as const, label: "Temperature", min: 0, max: 2, step: 0.5, default: 1 },
  { id: "stream", type: "switch" as const, label: "Stream", default: true },
  { id: "persona", type: "text" as const, label: "Persona", maxLength: 20, default: "" },
];
const DEFAULTS = { model: "small", temperature: 1, stream: true, persona: "" };
const profiles = [
  { id: "concise", name: "Concise", description: "Short answers" },
  { id: "tutor", name: "Tutor", description: "Step by step" },
];

describe.each(dialects)("chat settings and profiles on $name", (dialect) => {
  let t: TestServer;
  /** What the app saw: each message's `chat.settings` and `chat.profile`, each `onSettingsUpdate`. */
  let seen: Array<{ content: string; settings: ChatSettingValues; profile: string | null }>;
  let updates: Array<{ settings: ChatSettingValues; threadId: string }>;

  const start = async () => {
    seen = [];
    updates = [];
    t = await startTestServer({
      dialect,
      app: echoApp({
        settings,
        profiles,
        onMessage(message, chat: Chat) {
          seen.push({ content: message.content, settings: { ...chat.settings }, profile: chat.profile });
          return chat.send(`ok: ${message.content}`);
        },
        onSettingsUpdate(values, chat) {
          updates.push({ settings: { ...values }, threadId: chat.thread.id });
        },
      }),
    });
  };

  const user = async (name: string) => {
    const client = await t.loggedIn(name);
    const socket = await t.connect(client);
    return { client, socket, log: new EventLog(socket) };
  };

  /** Sends and waits for the app to be done. */
  const say = async (socket: ClientSocket, log: EventLog, payload: Record<string, unknown>) => {
    const idle = log.of("thread:idle").length;
    const answer = await request(socket, "message:send", payload);
    if (answer.ok) await eventually("thread:idle", () => log.of("thread:idle").length > idle);
    return answer;
  };

  const threadRow = (id: string) => t.server.db.selectFrom("threads").select(["settings", "profile"]).where("id", "=", id).executeTakeFirstOrThrow();
  const threadCount = async () => (await t.server.db.selectFrom("threads").select("id").execute()).length;

  it("a new chat starts with a profile and settings: the app reads them, the thread JSON shows them", async () => {
    await start();
    const alice = await user("alice");
    const sent = await say(alice.socket, alice.log, { content: "hi", profile: "tutor", settings: { model: "large", temperature: 1.5 } });
    expect(sent.ok).toBe(true);
    expect(seen).toEqual([{ content: "hi", settings: { ...DEFAULTS, model: "large", temperature: 1.5 }, profile: "tutor" }]);
    const thread = await alice.client.get(`/api/threads/${sent.threadId}`);
    expect(thread.body).toMatchObject({ settings: { ...DEFAULTS, model: "large", temperature: 1.5 }, profile: "tutor" });
    const resumed = await request(alice.socket, "thread:resume", { threadId: sent.threadId });
    expect(resumed.thread).toMatchObject({ settings: thread.body.settings, profile: "tutor" });
  });

  it("without a profile or settings, the app reads the defaults and a null profile", async () => {
    await start();
    const alice = await user("alice");
    const sent = await say(alice.socket, alice.log, { content: "hi" });
    expect(seen[0]).toEqual({ content: "hi", settings: DEFAULTS, profile: null });
    expect(await threadRow(sent.threadId)).toEqual({ settings: null, profile: null });
  });

  it("thread:settings stores a change, tells the user's other tabs, calls onSettingsUpdate, and the next message reads it", async () => {
    await start();
    const alice = await user("alice");
    const otherTab = await t.connect(alice.client);
    const otherLog = new EventLog(otherTab);
    const { threadId } = await say(alice.socket, alice.log, { content: "first" });

    const answer = await request(alice.socket, "thread:settings", { threadId, settings: { stream: false, persona: "pirate" } });
    expect(answer).toEqual({ ok: true, settings: { ...DEFAULTS, stream: false, persona: "pirate" } });
    const event = await otherLog.waitFor((e) => e.event === "thread:settings");
    expect(event.data).toEqual({ threadId, settings: { ...DEFAULTS, stream: false, persona: "pirate" } });
    await eventually("onSettingsUpdate", () => updates.length === 1);
    expect(updates[0]).toEqual({ threadId, settings: { ...DEFAULTS, stream: false, persona: "pirate" } });

    // A second change keeps the first.
    await request(alice.socket, "thread:settings", { threadId, settings: { model: "large" } });
    await say(alice.socket, alice.log, { threadId, content: "second" });
    expect(seen[1]).toEqual({ content: "second", settings: { model: "large", temperature: 1, stream: false, persona: "pirate" }, profile: null });
    expect(JSON.parse((await threadRow(threadId)).settings!)).toEqual({ stream: false, persona: "pirate", model: "large" });
  });

  describe("a wrong setting is refused with invalid_setting, whole, and nothing is stored", () => {
    it.each([
      ["an unknown id", { colour: "red" }, /Unknown setting "colour"/],
      ["a select value outside the options", { model: "huge" }, /^model: must be one of the options' values/],
      ["a number for a select", { model: 1 }, /^model: /],
      ["a slider value off its steps", { temperature: 0.7 }, /^temperature: must be a number from 0 to 2 in steps of 0.5/],
      ["a slider value above max", { temperature: 2.5 }, /^temperature: /],
      ["a string for a slider", { temperature: "1" }, /^temperature: /],
      ["a string for a switch", { stream: "false" }, /^stream: must be true or false/],
      ["a text over maxLength", { persona: "x".repeat(21) }, /^persona: must be at most 20 characters/],
      ["a NUL in a text", { persona: "a\u0000" }, /^persona: /],
      ["one wrong among right ones", { model: "large", stream: "no" }, /^stream: /],
    ])("%s", async (_case, changes, message) => {
      await start();
      const alice = await user("alice");
      const { threadId } = await say(alice.socket, alice.log, { content: "first", settings: { persona: "kept" } });
      const answer = await request(alice.socket, "thread:settings", { threadId, settings: changes });
      expect(answer).toEqual({ ok: false, error: { code: "invalid_setting", message: expect.stringMatching(message), threadId } });
      expect(JSON.parse((await threadRow(threadId)).settings!)).toEqual({ persona: "kept" });
      expect(updates).toEqual([]);
      expect(alice.log.of("thread:settings")).toEqual([]);
    });

    it("a new chat with a wrong setting or an unknown profile is not created", async () => {
      await start();
      const alice = await user("alice");
      const badSetting = await request(alice.socket, "message:send", { content: "hi", settings: { stream: 1 } });
      const badProfile = await request(alice.socket, "message:send", { content: "hi", profile: "admin" });
      expect(badSetting.error.code).toBe("invalid_setting");
      expect(badProfile.error).toEqual({ code: "invalid_setting", message: 'Unknown profile "admin"' });
      expect(await threadCount()).toBe(0);
      expect(seen).toEqual([]);
    });

    it("a profile or settings sent to an existing thread is refused (invalid_request): the profile is fixed at the start", async () => {
      await start();
      const alice = await user("alice");
      const { threadId } = await say(alice.socket, alice.log, { content: "hi", profile: "concise" });
      const answer = await request(alice.socket, "message:send", { threadId, content: "again", profile: "tutor" });
      expect(answer.error.code).toBe("invalid_request");
      expect(await threadRow(threadId)).toEqual({ settings: null, profile: "concise" });
    });

    it("a payload that is not an object of settings is invalid_request", async () => {
      await start();
      const alice = await user("alice");
      const { threadId } = await say(alice.socket, alice.log, { content: "hi" });
      for (const payload of [{ threadId }, { threadId, settings: ["model"] }, { threadId: "no such id!", settings: {} }, null]) {
        expect((await request(alice.socket, "thread:settings", payload)).error.code).toBe("invalid_request");
      }
    });
  });

  it("another user's thread answers not_found and keeps its settings; bob's tabs hear nothing of alice's", async () => {
    await start();
    const alice = await user("alice");
    const bob = await user("bob");
    const { threadId } = await say(alice.socket, alice.log, { content: "mine", settings: { model: "large" } });
    const answer = await request(bob.socket, "thread:settings", { threadId, settings: { model: "small" } });
    expect(answer).toEqual({ ok: false, error: { code: "not_found", message: "No such thread", threadId } });
    expect(JSON.parse((await threadRow(threadId)).settings!)).toEqual({ model: "large" });

    await request(alice.socket, "thread:settings", { threadId, settings: { stream: false } });
    await alice.log.waitFor((e) => e.event === "thread:settings");
    expect(bob.log.of("thread:settings")).toEqual([]);
  });

  it("a stored value the app no longer declares gives way to the default", async () => {
    await start();
    const alice = await user("alice");
    const { threadId } = await say(alice.socket, alice.log, { content: "hi" });
    await t.server.db
      .updateTable("threads")
      .set({ settings: JSON.stringify({ model: "retired", gone: 1, stream: false }) })
      .where("id", "=", threadId)
      .execute();
    const thread = await alice.client.get(`/api/threads/${threadId}`);
    expect(thread.body.settings).toEqual({ ...DEFAULTS, stream: false });
  });
});
