// @vitest-environment jsdom
import { pendingAsk, useChat, type ParlorClient, type UseChatResult } from "@parlor/react";
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { providerWrapper } from "./helpers/provider-wrapper.js";
import { browser } from "./helpers/clients.js";
import { ECHO_PASSWORD, featureApp, startTestServer, type TestServer } from "@parlor/test-support";

/**
 * useChat with steps, actions and questions, against a real server running the kit's
 * feature app (packages/test-support/src/feature-app.ts).
 */

let t: TestServer;
afterEach(() => {
  cleanup();
});

async function loggedIn(username = "alice"): Promise<ParlorClient> {
  const { client } = browser(t);
  await client.start();
  await client.auth.login(username, ECHO_PASSWORD);
  return client;
}

function renderChat(client: ParlorClient, threadId?: string) {
  return renderHook((props: { threadId?: string }) => useChat(props.threadId), { wrapper: providerWrapper(client), initialProps: { threadId } });
}

async function connected(client: ParlorClient) {
  const hook = renderChat(client);
  await waitFor(() => expect(hook.result.current.connection).toBe("connected"));
  return hook;
}

const lastContent = (chat: UseChatResult) => chat.messages.at(-1)?.content;

describe("useChat: steps, actions and questions", () => {
  it("keeps a reply's steps live, nested, with their output, and the same after a resume", async () => {
    t = await startTestServer({ app: featureApp() });
    const client = await loggedIn();
    const { result } = await connected(client);
    await act(async () => void (await result.current.send("/search owls")));
    await waitFor(() => expect(lastContent(result.current)).toBe("Found 2 results for owls"));
    await waitFor(() => expect(result.current.status).toBe("idle"));
    const reply = result.current.messages.at(-1)!;
    expect(reply.steps.map((step) => [step.name, step.output, step.status])).toEqual([
      ["search", "2 documents", "complete"],
      ["rank", "ranked", "complete"],
    ]);
    expect(reply.steps[1]!.parentId).toBe(reply.steps[0]!.id);

    // A second view of the thread gets the same steps from the server.
    const other = renderChat(client, result.current.threadId!);
    await waitFor(() => expect(other.result.current.messages.at(-1)?.steps).toEqual(reply.steps));
  });

  it("runs an action with runAction; a used once action refuses a second run with action_used", async () => {
    t = await startTestServer({ app: featureApp() });
    const client = await loggedIn();
    const { result } = await connected(client);
    await act(async () => void (await result.current.send("/choose-once")));
    await waitFor(() => expect(result.current.messages.at(-1)?.actions).toHaveLength(2));
    await waitFor(() => expect(result.current.status).toBe("idle"));
    const message = result.current.messages.at(-1)!;
    const red = message.actions[0]!;
    expect(red).toEqual({ id: expect.any(String), name: "pick", label: "Red" });

    await act(() => result.current.runAction(message.id, red.id));
    await waitFor(() => expect(lastContent(result.current)).toBe("You chose red"));
    await waitFor(() => expect(result.current.messages.find((m) => m.id === message.id)?.actions[0]?.used).toBe(true));
    await waitFor(() => expect(result.current.status).toBe("idle"));

    await act(async () => {
      await expect(result.current.runAction(message.id, red.id)).rejects.toMatchObject({ code: "action_used" });
    });
    expect(result.current.error?.code).toBe("action_used");
  });

  it("refuses another user's action with unknown_action", async () => {
    t = await startTestServer({ app: featureApp() });
    const alice = await connected(await loggedIn("alice"));
    await act(async () => void (await alice.result.current.send("/choose")));
    await waitFor(() => expect(alice.result.current.messages.at(-1)?.actions).toHaveLength(2));
    const message = alice.result.current.messages.at(-1)!;

    const bob = await connected(await loggedIn("bob"));
    await act(async () => {
      await expect(bob.result.current.runAction(message.id, message.actions[0]!.id)).rejects.toMatchObject({ code: "unknown_action" });
    });
  });

  it("finds the waiting question with pendingAsk, answers a text one with send and a choice with runAction", async () => {
    t = await startTestServer({ app: featureApp() });
    const client = await loggedIn();
    const { result } = await connected(client);
    await act(async () => void (await result.current.send("/ask-text")));
    await waitFor(() => expect(pendingAsk(result.current.messages)?.ask).toMatchObject({ type: "text", status: "pending" }));
    expect(result.current.status).toBe("idle");
    await act(async () => void (await result.current.send("Grace")));
    await waitFor(() => expect(lastContent(result.current)).toBe("Hello Grace"));
    expect(pendingAsk(result.current.messages)).toBeNull();

    await waitFor(() => expect(result.current.status).toBe("idle"));
    await act(async () => void (await result.current.send("/ask-action")));
    await waitFor(() => expect(pendingAsk(result.current.messages)?.actions).toHaveLength(2));
    const question = pendingAsk(result.current.messages)!;
    await act(() => result.current.runAction(question.id, question.actions[0]!.id));
    await waitFor(() => expect(lastContent(result.current)).toBe('Picked small ({"size":"S"})'));
    expect(result.current.messages.find((m) => m.id === question.id)?.ask?.status).toBe("answered");
  });
});
