// @vitest-environment jsdom
import { useThreads, type ParlorClient, type UseThreadsResult } from "@parlor/react";
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { providerWrapper } from "./helpers/provider-wrapper.js";
import { browser } from "./helpers/clients.js";
import { ECHO_PASSWORD, echoApp, startTestServer, type TestServer } from "@parlor/test-support";

let t: TestServer;
afterEach(async () => {
  cleanup();
});

const wrapper = providerWrapper;

/** An app that stores messages and does not answer, so thread order is only creation order. */
const silentApp = () => echoApp({ onMessage: () => undefined });

async function loggedIn(username = "alice"): Promise<ParlorClient> {
  const { client } = browser(t);
  await client.start();
  await client.auth.login(username, ECHO_PASSWORD);
  return client;
}

/** Starts one thread per name, one second apart on the server's clock. */
async function createThreads(client: ParlorClient, names: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) {
    t.clock.advance(1000);
    const chat = client.createChat();
    ids.push((await chat.send(name)).threadId);
  }
  return ids;
}

const names = (r: { current: UseThreadsResult }) => r.current.threads.map((thread) => thread.name);

describe("useThreads", () => {
  it("pages through the threads with the cursor, newest first", async () => {
    t = await startTestServer({ app: silentApp() });
    const client = await loggedIn();
    await createThreads(client, ["one", "two", "three", "four", "five"]);

    const { result } = renderHook(() => useThreads({ limit: 2 }), { wrapper: wrapper(client) });
    await waitFor(() => expect(names(result)).toEqual(["five", "four"]));
    expect(result.current).toMatchObject({ hasMore: true, isLoading: false, error: null });

    await act(() => result.current.loadMore());
    expect(names(result)).toEqual(["five", "four", "three", "two"]);
    await act(() => result.current.loadMore());
    expect(names(result)).toEqual(["five", "four", "three", "two", "one"]);
    expect(result.current.hasMore).toBe(false);
    await act(() => result.current.loadMore()); // nothing more to load: no request
    expect(t.count("GET", "/api/threads")).toBe(3);
  });

  it("renames and deletes", async () => {
    t = await startTestServer({ app: silentApp() });
    const client = await loggedIn();
    const [first, second] = await createThreads(client, ["first", "second"]);
    const { result } = renderHook(() => useThreads(), { wrapper: wrapper(client) });
    await waitFor(() => expect(names(result)).toEqual(["second", "first"]));

    t.clock.advance(1000);
    const renamed = await act(() => result.current.rename(first!, "Renamed"));
    expect(renamed).toMatchObject({ id: first, name: "Renamed" });
    expect(names(result)).toEqual(["Renamed", "second"]);

    await act(() => result.current.remove(second!));
    expect(names(result)).toEqual(["Renamed"]);
    await act(() => result.current.refresh());
    expect(names(result)).toEqual(["Renamed"]); // the server agrees

    const missing = await act(() => result.current.remove(second!).catch((error: unknown) => error));
    expect(missing).toMatchObject({ code: "not_found", status: 404 });
    expect(result.current.error).toMatchObject({ code: "not_found" });
  });

  it("adds a thread created elsewhere (thread:created) on top, live", async () => {
    t = await startTestServer({ app: silentApp() });
    const laptop = await loggedIn("alice");
    const phone = await loggedIn("alice"); // another device of the same user
    await createThreads(laptop, ["old"]);
    const { result } = renderHook(() => useThreads(), { wrapper: wrapper(laptop) });
    await waitFor(() => expect(names(result)).toEqual(["old"]));
    await waitFor(() => expect(laptop.connection.getSnapshot().state).toBe("connected"));
    const requests = t.count("GET", "/api/threads");

    const [created] = await createThreads(phone, ["from the phone"]);
    await waitFor(() => expect(names(result)).toEqual(["from the phone", "old"]));
    expect(result.current.threads[0]!.id).toBe(created);
    expect(t.count("GET", "/api/threads")).toBe(requests); // pushed, not polled
  });

  it("searches with q and reloads when it changes", async () => {
    t = await startTestServer({ app: silentApp() });
    const client = await loggedIn();
    await createThreads(client, ["invoice march", "holiday plans", "invoice april"]);
    const { result, rerender } = renderHook((props: { q?: string }) => useThreads({ q: props.q }), {
      wrapper: wrapper(client),
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- widens the props type renderHook infers, so that rerender can clear q
      initialProps: { q: "invoice" } as { q?: string },
    });
    await waitFor(() => expect(names(result)).toEqual(["invoice april", "invoice march"]));
    rerender({ q: "holiday" });
    await waitFor(() => expect(names(result)).toEqual(["holiday plans"]));
    rerender({ q: undefined });
    await waitFor(() => expect(names(result)).toHaveLength(3));
  });

  it("empties on logout and loads again after the next login", async () => {
    t = await startTestServer({ app: silentApp() });
    const client = await loggedIn();
    await createThreads(client, ["mine"]);
    const { result } = renderHook(() => useThreads(), { wrapper: wrapper(client) });
    await waitFor(() => expect(names(result)).toEqual(["mine"]));
    await act(() => client.auth.logout());
    expect(result.current.threads).toEqual([]);
    await act(() => client.auth.login("alice", ECHO_PASSWORD).then(() => undefined));
    await waitFor(() => expect(names(result)).toEqual(["mine"]));
  });
});
