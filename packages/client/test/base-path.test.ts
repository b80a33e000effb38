import { browser, CookieJar, ECHO_PASSWORD, echoApp, startTestServer, TestClient } from "@parlor/test-support";
import { describe, expect, it, vi } from "vitest";

/** A 1×1 PNG. */
const PNG_BYTES = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");

/**
 * `baseUrl` with a path (`https://example.com/chat/`): requests, the socket.io path and file
 * URLs all go under it, against a real server at PARLOR_PUBLIC_URL=<origin>/chat/.
 */
describe("a client of an app under a path prefix", () => {
  it("logs in, chats over <prefix>/socket.io and builds file URLs under the prefix", async () => {
    const t = await startTestServer({ basePath: "/chat", app: echoApp({ pieceDelayMs: 5 }) });
    const jar = new CookieJar(t.origin);
    const { client } = browser(t, jar, { baseUrl: `${t.origin}/chat/` });
    expect(client.baseUrl).toBe(`${t.origin}/chat`);
    await client.start();
    await client.auth.login("alice", ECHO_PASSWORD);
    await vi.waitFor(() => expect(client.connection.getSnapshot().state).toBe("connected"), { timeout: 3000 });
    expect(t.count("POST", "/chat/auth/login")).toBe(1);

    const chat = client.createChat();
    // A store follows the socket while something is subscribed to it.
    chat.subscribe(() => {});
    await chat.send("hello there");
    await vi.waitFor(() => expect(chat.getSnapshot().messages.map((message) => message.content.trim())).toContain("hello there"), { timeout: 3000 });
    await vi.waitFor(() => expect(chat.getSnapshot().status).toBe("idle"), { timeout: 5000 });
    expect(chat.getSnapshot().messages).toHaveLength(2);

    // An upload by the same browser (the kit's client shares the jar), then its URLs.
    const tab = new TestClient(t.origin, t.server.config.cookie.name, jar, "/chat");
    jar.csrfToken = client.auth.currentCsrfToken;
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(PNG_BYTES)], { type: "image/png" }), "a.png");
    const uploaded = await tab.post("/api/files", { form });
    expect(uploaded.status).toBe(201);
    const id = uploaded.body.id as string;
    expect(client.fileUrl(id)).toBe(`${t.origin}/chat/api/files/${id}`);
    const signed = await client.signedFileUrl(id);
    expect(signed.url).toMatch(new RegExp(`^${t.origin}/chat/api/files/${id}\\?exp=\\d+&sig=`));
    expect((await fetch(signed.url)).status).toBe(200);
  });
});
