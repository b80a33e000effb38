// @vitest-environment jsdom
import { useChat, useFileUpload } from "@parlor/react";
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { providerWrapper } from "./helpers/provider-wrapper.js";
import { browser, pageOn } from "./helpers/clients.js";
import { CookieJar, ECHO_PASSWORD, echoApp, startTestServer, type TestServer } from "@parlor/test-support";

let t: TestServer;
afterEach(async () => {
  cleanup();
});

const wrapper = providerWrapper;

/** A logged-in client whose uploads go through a real (jsdom) XMLHttpRequest on the server's origin. */
async function loggedInWithPage() {
  const jar = new CookieJar(t.origin);
  await browser(t, jar).client.auth.login("alice", ECHO_PASSWORD);
  const page = await pageOn(t, jar);
  const { client } = browser(t, jar, { XMLHttpRequest: page.XMLHttpRequest });
  await client.start();
  return { client, jar, page };
}

describe("useFileUpload", () => {
  it("uploads with XMLHttpRequest (CSRF header, cookie, progress) and the file is served at fileUrl", async () => {
    t = await startTestServer({ app: echoApp({ onMessage: () => undefined }) });
    const { client, jar, page } = await loggedInWithPage();
    const renders: Array<{ progress: number; isUploading: boolean }> = [];
    const { result } = renderHook(
      () => {
        const upload = useFileUpload();
        renders.push({ progress: upload.progress, isUploading: upload.isUploading });
        return upload;
      },
      { wrapper: wrapper(client) },
    );

    const bytes = "hello parlor ".repeat(10_000);
    const file = new page.File([bytes], "notes.txt", { type: "text/plain" });
    const uploaded = await act(() => result.current.upload(file));
    expect(uploaded).toEqual({ id: expect.any(String), name: "notes.txt", mime: "text/plain", size: bytes.length, url: expect.stringContaining(uploaded.id) });
    expect(result.current).toMatchObject({ isUploading: false, progress: 1, error: null });
    const during = renders.filter((r) => r.isUploading).map((r) => r.progress);
    expect(during.length).toBeGreaterThan(0);
    expect(during).toEqual([...during].sort((a, b) => a - b)); // never goes back
    expect(during.at(-1)).toBe(1); // from the upload progress events, before the answer
    expect(t.requests.find((r) => r.path === "/api/files")).toMatchObject({ method: "POST", status: 201, csrfHeader: true, cookie: true });

    const url = result.current.fileUrl(uploaded.id);
    expect(url).toBe(`${t.origin}/api/files/${uploaded.id}`);
    const download = await jar.fetch(url);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe(bytes);
  });

  it("attaches uploaded files to a message", async () => {
    t = await startTestServer({ app: echoApp({ onMessage: () => undefined }) });
    const { client, page } = await loggedInWithPage();
    const { result } = renderHook(() => ({ files: useFileUpload(), chat: useChat() }), { wrapper: wrapper(client) });
    await waitFor(() => expect(result.current.chat.connection).toBe("connected"));
    const uploaded = await act(() => result.current.files.upload(new page.File(["%PDF-1.4 tiny"], "a.txt", { type: "text/plain" })));
    await act(() => result.current.chat.send("see attached", [uploaded.id]));
    await waitFor(() => expect(result.current.chat.messages[0]?.files).toEqual([expect.objectContaining({ id: uploaded.id, name: "a.txt" })]));
  });

  it("turns an error answer into a ParlorApiError (another user's thread is not_found)", async () => {
    t = await startTestServer();
    const { client, page } = await loggedInWithPage();
    const { result } = renderHook(() => useFileUpload(), { wrapper: wrapper(client) });
    const error = await act(() =>
      result.current.upload(new page.File(["x"], "x.txt", { type: "text/plain" }), { threadId: "not-a-thread-of-mine" }).catch((e: unknown) => e),
    );
    expect(error).toMatchObject({ name: "ParlorApiError", code: "not_found", status: 404 });
    expect(result.current).toMatchObject({ isUploading: false, error: { code: "not_found" } });
  });

  it("a 401 on upload logs out", async () => {
    t = await startTestServer();
    const { client, page } = await loggedInWithPage();
    const { result } = renderHook(() => useFileUpload(), { wrapper: wrapper(client) });
    await t.server.sessions.revoke(client.auth.getSnapshot().user!.id);
    const error = await act(() => result.current.upload(new page.File(["x"], "x.txt")).catch((e: unknown) => e));
    expect(error).toMatchObject({ code: "unauthenticated", status: 401 });
    expect(client.auth.getSnapshot().status).toBe("unauthenticated");
  });
});
