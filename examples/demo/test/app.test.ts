import { beforeAll, describe, expect, it } from "vitest";
import { EventLog, request, startTestServer, type TestServer } from "@parlor/test-support";

/** The demo's chat options (../chat-options.ts) through a real server: what the README promises. */
describe("the demo's welcome, starters, profiles and settings", () => {
  let t: TestServer;
  beforeAll(async () => {
    const app = (await import("../app.js")).default;
    t = await startTestServer({ app });
  });

  const login = async (username: string) => {
    const client = t.client();
    expect((await client.login(username, "demo")).status).toBe(200);
    return client;
  };

  it("greets the user by name and offers its starters, profiles and settings", async () => {
    const info = (await (await login("ada")).get("/api/app")).body;
    expect(info.welcome).toMatch(/^Hello \*\*ada\*\*\./);
    expect(info.starters.map((starter: { label: string }) => starter.label)).toEqual(["Say hello", "A long echo", "Markdown"]);
    expect(info.profiles.map((profile: { id: string }) => profile.id)).toEqual(["echo", "reverse"]);
    expect(info.settings.map((setting: { id: string }) => setting.id)).toEqual(["speed", "shout", "repeat", "prefix"]);
  });

  it("echoes as the profile and the settings say: reversed, shouted, twice, with its prefix", async () => {
    const client = await login("grace");
    const socket = await t.connect(client);
    const log = new EventLog(socket);
    const sent = await request(socket, "message:send", {
      content: "one two three",
      profile: "reverse",
      settings: { speed: "fast", shout: true, repeat: 2, prefix: "Echo:" },
    });
    expect(sent.ok).toBe(true);
    await log.waitFor((e) => e.event === "thread:idle");
    const thread = (await client.get(`/api/threads/${sent.threadId}`)).body;
    expect(thread.messages.map((m: { content: string }) => m.content)).toEqual(["one two three", "Echo: THREE TWO ONE / THREE TWO ONE"]);
  });

  it("echoes a message exactly, line breaks included, with the defaults", async () => {
    const client = await login("linus");
    const socket = await t.connect(client);
    const log = new EventLog(socket);
    const sent = await request(socket, "message:send", { content: "first line\nsecond  line", settings: { speed: "fast" } });
    await log.waitFor((e) => e.event === "thread:idle");
    const thread = (await client.get(`/api/threads/${sent.threadId}`)).body;
    expect(thread.messages[1].content).toBe("You said: first line\nsecond  line");
  });
});
