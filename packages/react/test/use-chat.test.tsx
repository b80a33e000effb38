// @vitest-environment jsdom
import { useChat, type ParlorClient, type UseChatResult } from "@parlor/react";
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { providerWrapper } from "./helpers/provider-wrapper.js";
import { browser, closeBrowsers, gate, sleep } from "./helpers/clients.js";
import { echoApp, PASSWORD, startParlor, type TestParlor } from "./helpers/parlor-server.js";

let t: TestParlor;
afterEach(async () => {
  cleanup();
  closeBrowsers();
  await t?.stop();
});

const wrapper = providerWrapper;

async function loggedIn(): Promise<ParlorClient> {
  const { client } = browser(t);
  await client.start();
  await client.auth.login("alice", PASSWORD);
  return client;
}

/** Renders useChat and keeps every render's result. */
function renderChat(client: ParlorClient, threadId?: string) {
  const renders: UseChatResult[] = [];
  const hook = renderHook(
    (props: { threadId?: string }) => {
      const chat = useChat(props.threadId);
      renders.push(chat);
      return chat;
    },
    { wrapper: wrapper(client), initialProps: { threadId } },
  );
  return { ...hook, renders };
}

const assistantOf = (chat: UseChatResult) => chat.messages.find((m) => m.role === "assistant");
const summary = (chat: UseChatResult) => chat.messages.map((m) => [m.role, m.content, m.status]);

describe("useChat", () => {
  it("sends to a new thread, then streams the reply token by token (sending → streaming → idle)", async () => {
    t = await startParlor({
      app: echoApp({
        async onMessage(message, chat) {
          const reply = chat.reply();
          for (const word of message.content.split(" ")) {
            await reply.stream(`${word} `);
            await sleep(40); // slow enough for a render per token
          }
          await reply.end();
        },
      }),
    });
    const client = await loggedIn();
    const { result, renders } = renderChat(client);
    await waitFor(() => expect(result.current.connection).toBe("connected"));
    expect(result.current).toMatchObject({ threadId: null, messages: [], status: "idle" });

    let sent!: { threadId: string; messageId: string };
    await act(async () => {
      sent = await result.current.send("hello there parlor");
    });
    expect(result.current.threadId).toBe(sent.threadId);
    await waitFor(() => expect(result.current.status).toBe("idle"));

    expect(summary(result.current)).toEqual([
      ["user", "hello there parlor", "complete"],
      ["assistant", "hello there parlor ", "complete"],
    ]);
    expect(result.current.messages[0]!.id).toBe(sent.messageId);
    expect(result.current.messages[0]!.pending).toBeFalsy();

    // A render per token (the empty start may share a render with the first token).
    const seen = [...new Set(renders.map((r) => assistantOf(r)?.content).filter((c) => c !== undefined && c !== ""))];
    expect(seen).toEqual(["hello ", "hello there ", "hello there parlor "]);
    const statuses = renders.map((r) => r.status).filter((s, i, all) => s !== all[i - 1]);
    expect(statuses).toEqual(["idle", "sending", "streaming", "idle"]);
    // The user's message showed at once, before the server answered.
    const firstSending = renders.find((r) => r.status === "sending")!;
    expect(firstSending.messages).toMatchObject([{ role: "user", content: "hello there parlor", pending: true }]);
  });

  it("returns to idle when the app answers nothing at all (thread:idle)", async () => {
    t = await startParlor({ app: echoApp({ onMessage: () => undefined }) });
    const client = await loggedIn();
    const { result, renders } = renderChat(client);
    await waitFor(() => expect(result.current.connection).toBe("connected"));
    await act(() => result.current.send("anyone there?"));
    await waitFor(() => expect(result.current.status).toBe("idle"));
    expect(renders.some((render) => render.status === "streaming" || render.status === "sending")).toBe(true);
    expect(summary(result.current)).toEqual([["user", "anyone there?", "complete"]]);
  });

  it("continues the same thread on the next send", async () => {
    t = await startParlor();
    const client = await loggedIn();
    const { result } = renderChat(client);
    await waitFor(() => expect(result.current.connection).toBe("connected"));
    const first = await act(() => result.current.send("one"));
    await waitFor(() => expect(result.current.status).toBe("idle"));
    const second = await act(() => result.current.send("two"));
    await waitFor(() => expect(result.current.status).toBe("idle"));
    expect(second.threadId).toBe(first.threadId);
    expect(summary(result.current)).toEqual([
      ["user", "one", "complete"],
      ["assistant", "one ", "complete"],
      ["user", "two", "complete"],
      ["assistant", "two ", "complete"],
    ]);
  });

  it("resumes after a reconnect: a reply finished while offline is complete", async () => {
    const halfway = gate();
    const finish = gate();
    const finished = gate();
    t = await startParlor({
      app: echoApp({
        async onMessage(_message, chat) {
          const reply = chat.reply();
          await reply.stream("first half, ");
          halfway.open();
          await finish.opened;
          await reply.stream("second half");
          await reply.end();
          finished.open();
        },
      }),
    });
    const client = await loggedIn();
    const { result } = renderChat(client);
    await waitFor(() => expect(result.current.connection).toBe("connected"));
    await act(() => result.current.send("tell me"));
    await halfway.opened;
    await waitFor(() => expect(assistantOf(result.current)?.content).toBe("first half, "));

    act(() => void client.socket!.disconnect());
    await waitFor(() => expect(result.current.connection).toBe("disconnected"));
    finish.open();
    await finished.opened; // the rest was written while this client was away
    await sleep(50);
    expect(assistantOf(result.current)).toMatchObject({ content: "first half, ", status: "streaming" });

    act(() => void client.socket!.connect());
    await waitFor(() => expect(assistantOf(result.current)).toMatchObject({ content: "first half, second half", status: "complete" }));
    expect(result.current.status).toBe("idle");
    expect(result.current.connection).toBe("connected");
    expect(summary(result.current)).toEqual([
      ["user", "tell me", "complete"],
      ["assistant", "first half, second half", "complete"],
    ]);
  });

  it("resumes in the middle of a reply and keeps streaming without losing or doubling text", async () => {
    const halfway = gate();
    const finish = gate();
    t = await startParlor({
      app: echoApp({
        async onMessage(_message, chat) {
          const reply = chat.reply();
          await reply.stream("one ");
          await reply.stream("two ");
          halfway.open();
          await finish.opened;
          for (const word of ["three ", "four ", "five"]) {
            await reply.stream(word);
            await sleep(5);
          }
          await reply.end();
        },
      }),
    });
    const client = await loggedIn();
    const { result } = renderChat(client);
    await waitFor(() => expect(result.current.connection).toBe("connected"));
    await act(() => result.current.send("count"));
    await halfway.opened;
    act(() => void client.socket!.disconnect());
    act(() => void client.socket!.connect());
    finish.open(); // streams while the resume is on its way
    await waitFor(() => expect(assistantOf(result.current)?.status).toBe("complete"));
    expect(assistantOf(result.current)?.content).toBe("one two three four five");
    expect(result.current.status).toBe("idle");
  });

  it("shows another thread's messages when threadId changes, and a fresh chat for undefined", async () => {
    t = await startParlor();
    const client = await loggedIn();
    const writer = client.createChat();
    const a = await writer.send("alpha");
    writer.setThreadId(null);
    const b = await writer.send("beta");
    await sleep(100); // both echoes written

    const { result, rerender } = renderChat(client, a.threadId);
    await waitFor(() =>
      expect(summary(result.current)).toEqual([
        ["user", "alpha", "complete"],
        ["assistant", "alpha ", "complete"],
      ]),
    );
    rerender({ threadId: b.threadId });
    await waitFor(() => expect(result.current.messages.map((m) => m.content)).toEqual(["beta", "beta "]));
    expect(result.current.threadId).toBe(b.threadId);
    rerender({ threadId: undefined });
    expect(result.current).toMatchObject({ threadId: null, messages: [], status: "idle" });
  });

  it("reports a refused send as a ParlorApiError and drops the optimistic message", async () => {
    t = await startParlor();
    const client = await loggedIn();
    const { result } = renderChat(client, "no-such-thread");
    await waitFor(() => expect(result.current.error?.code).toBe("not_found")); // the resume
    await act(() => result.current.send("hello?").catch(() => undefined));
    expect(result.current.error).toMatchObject({ code: "not_found", name: "ParlorApiError" });
    expect(result.current.messages).toEqual([]);
    expect(result.current.status).toBe("idle");
  });

  it("stops a reply: what was written stays, status returns to idle", async () => {
    t = await startParlor({
      app: echoApp({
        async onMessage(_message, chat) {
          const reply = chat.reply();
          await reply.stream("partial");
          await new Promise((resolve) => chat.signal.addEventListener("abort", resolve));
        },
      }),
    });
    const client = await loggedIn();
    const { result } = renderChat(client);
    await waitFor(() => expect(result.current.connection).toBe("connected"));
    await act(() => result.current.send("go"));
    await waitFor(() => expect(assistantOf(result.current)?.content).toBe("partial"));
    expect(result.current.status).toBe("streaming");
    expect(assistantOf(result.current)?.live).toBe(true);
    act(() => result.current.stop());
    // Idle at once, without waiting for the server's message:end.
    expect(result.current.status).toBe("idle");
    expect(assistantOf(result.current)?.live).toBeFalsy();
    // The server ends it as "stopped" (older servers: "complete").
    await waitFor(() => expect(["stopped", "complete"]).toContain(assistantOf(result.current)?.status));
    expect(result.current.status).toBe("idle");
    expect(assistantOf(result.current)?.content).toBe("partial");
  });

  it("is idle at once when stopping a reply while the server is away, and can send after it is back", async () => {
    t = await startParlor({
      app: echoApp({
        async onMessage(message, chat) {
          const reply = chat.reply();
          await reply.stream(`echo: ${message.content}`);
          if (message.content === "hang") await new Promise((resolve) => chat.signal.addEventListener("abort", resolve));
          await reply.end();
        },
      }),
    });
    const client = await loggedIn();
    const { result } = renderChat(client);
    await waitFor(() => expect(result.current.connection).toBe("connected"));
    await act(() => result.current.send("hang"));
    await waitFor(() => expect(assistantOf(result.current)?.content).toBe("echo: hang"));
    expect(result.current.status).toBe("streaming");

    await act(() => t.down({ abrupt: true })); // a crash: no message:end will ever come
    await waitFor(() => expect(result.current.connection).toBe("connecting"));
    expect(result.current.status).toBe("idle"); // nothing is live without a connection
    act(() => result.current.stop());
    expect(result.current.status).toBe("idle");

    await act(() => t.up());
    await waitFor(() => expect(result.current.connection).toBe("connected"), { timeout: 5_000 });
    // Whatever the shutdown stored for it, nobody writes that reply any more.
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    expect(assistantOf(result.current)?.content).toBe("echo: hang");
    expect(assistantOf(result.current)?.live).toBeFalsy();
    expect(result.current.status).toBe("idle");
    await act(() => result.current.send("again"));
    await waitFor(() => expect(result.current.messages.at(-1)).toMatchObject({ content: "echo: again", status: "complete" }));
    expect(result.current.status).toBe("idle");
  }, 20_000);

  describe("a thread whose last reply is not live", () => {
    /** A finished exchange whose reply is then stored with `status`, as a crash or a shutdown leaves it. */
    async function threadWithReply(status: string) {
      t = await startParlor();
      const client = await loggedIn();
      const writer = client.createChat();
      const sent = await writer.send("tell me a story");
      await waitFor(async () => {
        const rows = await t.server.db.selectFrom("messages").select("status").where("role", "=", "assistant").execute();
        expect(rows.map((row) => row.status)).toEqual(["complete"]);
      });
      await t.server.db
        .updateTable("messages")
        .set({ status: status as "complete", content: "once upon" })
        .where("role", "=", "assistant")
        .execute();
      return { client, threadId: sent.threadId };
    }

    for (const status of ["interrupted", "stopped", "error", "streaming"]) {
      it(`stored as ${status}: shown after a reload, not busy, no Stop, and the user can write again`, async () => {
        const { client, threadId } = await threadWithReply(status);
        // A reload: a new view of the thread resumes it from the server.
        const { result } = renderChat(client, threadId);
        await waitFor(() => expect(result.current.isLoading).toBe(false));
        expect(result.current.error).toBeNull();
        expect(summary(result.current)).toEqual([
          ["user", "tell me a story", "complete"],
          ["assistant", "once upon", status],
        ]);
        expect(assistantOf(result.current)?.live).toBeFalsy();
        expect(result.current.status).toBe("idle");

        await act(() => result.current.send("go on"));
        await waitFor(() => expect(result.current.messages.at(-1)).toMatchObject({ role: "assistant", content: "go on ", status: "complete" }));
        expect(result.current.status).toBe("idle");
      });
    }
  });

  it("forgets the messages when the session ends, and shows them again after the next login", async () => {
    t = await startParlor();
    const client = await loggedIn();
    const { result } = renderChat(client);
    await waitFor(() => expect(result.current.connection).toBe("connected"));
    await act(() => result.current.send("private"));
    await waitFor(() => expect(result.current.status).toBe("idle"));
    const { threadId } = result.current;

    await act(() => client.auth.logout());
    expect(result.current.messages).toEqual([]);
    expect(result.current.connection).toBe("disconnected");

    await act(() => client.auth.login("alice", PASSWORD).then(() => undefined));
    await waitFor(() => expect(result.current.messages.map((m) => m.content)).toEqual(["private", "private "]));
    expect(result.current.threadId).toBe(threadId);
  });
});
