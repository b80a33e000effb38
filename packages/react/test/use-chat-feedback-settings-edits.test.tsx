// @vitest-environment jsdom
import { useAppInfo, useChat, type ParlorClient, type UseChatResult } from "@parlor/react";
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { Chat, ChatSettingValues } from "parlor";
import { providerWrapper } from "./helpers/provider-wrapper.js";
import { browser } from "./helpers/clients.js";
import { ECHO_PASSWORD, echoApp, startTestServer, type TestServer } from "@parlor/test-support";
import { CookieJar } from "@parlor/test-support";

afterEach(() => cleanup());

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
  { id: "stream", type: "switch" as const, label: "Stream", default: true },
];
const profiles = [{ id: "tutor", name: "Tutor", description: "Step by step" }];

let t: TestServer;
/** What the app saw on each message. */
let seen: Array<{ content: string; settings: ChatSettingValues; profile: string | null }>;

async function start() {
  seen = [];
  let replies = 0;
  t = await startTestServer({
    app: echoApp({
      ui: { welcome: "Hi **there**", starters: [{ label: "Weather", message: "What's the weather?" }] },
      settings,
      profiles,
      async onMessage(message, chat: Chat) {
        seen.push({ content: message.content, settings: { ...chat.settings }, profile: chat.profile });
        await chat.send(`reply ${++replies}: ${message.content}`);
      },
    }),
  });
}

async function loggedIn(jar?: CookieJar): Promise<ParlorClient> {
  const { client } = browser(t, jar);
  await client.start();
  if (!client.auth.getSnapshot().isAuthenticated) await client.auth.login("alice", ECHO_PASSWORD);
  return client;
}

function renderChat(client: ParlorClient, threadId?: string) {
  return renderHook((props: { threadId?: string }) => useChat(props.threadId), { wrapper: providerWrapper(client), initialProps: { threadId } });
}

const contents = (chat: UseChatResult) => chat.messages.map((m) => m.content);

describe("useAppInfo", () => {
  it("loads the app's welcome, starters, settings and profiles once signed in", async () => {
    await start();
    const client = await loggedIn();
    const { result } = renderHook(() => useAppInfo(), { wrapper: providerWrapper(client) });
    await waitFor(() => expect(result.current.info).not.toBeNull());
    expect(result.current.info).toEqual({
      welcome: "Hi **there**",
      starters: [{ label: "Weather", message: "What's the weather?" }],
      settings,
      profiles,
    });
    await act(() => client.auth.logout());
    expect(result.current.info).toBeNull();
  });
});

describe("useChat: profile, settings, feedback, edit and regenerate", () => {
  it("a new chat sends the chosen profile and settings with its first message; the thread then holds them", async () => {
    await start();
    const client = await loggedIn();
    const { result } = renderChat(client);
    await waitFor(() => expect(result.current.connection).toBe("connected"));
    act(() => result.current.setProfile("tutor"));
    await act(() => result.current.updateSettings({ model: "large" }));
    expect(result.current).toMatchObject({ profile: "tutor", settings: { model: "large" } });
    await act(() => result.current.send("hello"));
    await waitFor(() => expect(result.current.status).toBe("idle"));
    expect(seen).toEqual([{ content: "hello", settings: { model: "large", stream: true }, profile: "tutor" }]);
    // Fixed once the thread exists.
    expect(() => result.current.setProfile(null)).toThrow(TypeError);

    // Reopened elsewhere: the resume brings every setting and the profile.
    const { result: reopened } = renderChat(client, result.current.threadId!);
    await waitFor(() => expect(reopened.current.messages).toHaveLength(2));
    expect(reopened.current).toMatchObject({ profile: "tutor", settings: { model: "large", stream: true } });
  });

  it("changes a thread's settings: stored, heard by another tab, refused whole when wrong", async () => {
    await start();
    const jar = new CookieJar(t.origin);
    const client = await loggedIn(jar);
    const { result } = renderChat(client);
    await waitFor(() => expect(result.current.connection).toBe("connected"));
    const { threadId } = await act(() => result.current.send("hello"));
    await waitFor(() => expect(result.current.status).toBe("idle"));

    const otherTab = await loggedIn(jar);
    const { result: other } = renderChat(otherTab, threadId);
    await waitFor(() => expect(other.current.messages).toHaveLength(2));
    expect(other.current.settings).toEqual({ model: "small", stream: true });

    await act(() => result.current.updateSettings({ stream: false }));
    expect(result.current.settings).toEqual({ model: "small", stream: false });
    await waitFor(() => expect(other.current.settings).toEqual({ model: "small", stream: false }));

    await act(async () => {
      await expect(result.current.updateSettings({ stream: "off" })).rejects.toMatchObject({ code: "invalid_setting" });
    });
    expect(result.current.error?.code).toBe("invalid_setting");
    expect(result.current.settings).toEqual({ model: "small", stream: false });
    await act(() => result.current.send("again"));
    await waitFor(() => expect(seen).toHaveLength(2));
    expect(seen[1]!.settings).toEqual({ model: "small", stream: false });
  });

  it("rates a reply, changes the rating, takes it back; another user's reply is refused with not_found", async () => {
    await start();
    const client = await loggedIn();
    const { result } = renderChat(client);
    await waitFor(() => expect(result.current.connection).toBe("connected"));
    await act(() => result.current.send("hello"));
    await waitFor(() => expect(result.current.messages.at(-1)?.role).toBe("assistant"));
    const reply = result.current.messages.at(-1)!;
    expect(reply.feedback).toBeNull();

    await act(() => result.current.feedback(reply.id, -1, "too short"));
    expect(result.current.messages.at(-1)!.feedback).toEqual({ value: -1, comment: "too short" });
    await act(() => result.current.feedback(reply.id, 1));
    expect(result.current.messages.at(-1)!.feedback).toEqual({ value: 1 });
    await act(() => result.current.feedback(reply.id, 0));
    expect(result.current.messages.at(-1)!.feedback).toBeNull();

    const { client: bob } = browser(t);
    await bob.start();
    await bob.auth.login("bob", ECHO_PASSWORD);
    const { result: bobs } = renderChat(bob);
    await act(async () => {
      await expect(bobs.current.feedback(reply.id, 1)).rejects.toMatchObject({ code: "not_found" });
    });
  });

  it("edits the last message and regenerates the last reply: the replaced messages leave the list", async () => {
    await start();
    const client = await loggedIn();
    const { result } = renderChat(client);
    await waitFor(() => expect(result.current.connection).toBe("connected"));
    await act(() => result.current.send("first"));
    await waitFor(() => expect(contents(result.current)).toEqual(["first", "reply 1: first"]));
    await act(() => result.current.send("second"));
    await waitFor(() => expect(contents(result.current)).toEqual(["first", "reply 1: first", "second", "reply 2: second"]));

    const last = result.current.messages[2]!;
    await act(() => result.current.edit(last.id, "second, edited"));
    await waitFor(() => expect(contents(result.current)).toEqual(["first", "reply 1: first", "second, edited", "reply 3: second, edited"]));
    await waitFor(() => expect(result.current.status).toBe("idle"));

    const reply = result.current.messages[3]!;
    await act(() => result.current.regenerate(reply.id));
    await waitFor(() => expect(contents(result.current)).toEqual(["first", "reply 1: first", "second, edited", "reply 4: second, edited"]));

    const older = result.current.messages[0]!;
    await act(async () => {
      await expect(result.current.edit(older.id, "rewrite history")).rejects.toMatchObject({ code: "not_latest" });
    });
    expect(result.current.error?.code).toBe("not_latest");
    expect(result.current.status).toBe("idle");
  });
});
