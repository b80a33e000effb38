import { describe, expect, it } from "vitest";
import { createParlorClient } from "./parlor-client.js";

describe("createParlorClient", () => {
  it("refuses bad options at once, as TypeErrors", () => {
    expect(() => createParlorClient({ baseUrl: "chat.example.com" })).toThrow(TypeError);
    expect(() => createParlorClient({ baseUrl: "//chat.example.com" })).toThrow(TypeError);
    expect(() => createParlorClient({ baseUrl: "javascript:alert(1)" })).toThrow(TypeError);
    expect(() => createParlorClient({ fetch: "fetch" as never })).toThrow(TypeError);
    expect(() => createParlorClient({ socketOptions: 42 as never })).toThrow(TypeError);
    expect(() => createParlorClient({ auth: { mode: "token" } as never })).toThrow(TypeError);
    expect(() => createParlorClient({ auth: { mode: "bearer" } as never })).toThrow(/getHostToken/);
    expect(() => createParlorClient({ auth: 42 as never })).toThrow(TypeError);
  });

  it("in bearer mode has no cookie file URL and no login of its own", async () => {
    const client = createParlorClient({ auth: { mode: "bearer", getHostToken: () => Promise.resolve("t") } });
    expect(() => client.fileUrl("f1")).toThrow(/signedFileUrl/);
    await expect(client.auth.login("alice", "secret")).rejects.toThrow(TypeError);
    expect(() => client.auth.loginWithProvider("google")).toThrow(TypeError);
  });

  it("builds file URLs under the base URL, without a trailing slash and with the id escaped", () => {
    expect(createParlorClient({ baseUrl: "https://chat.example.com/" }).fileUrl("a/b")).toBe("https://chat.example.com/api/files/a%2Fb");
    expect(createParlorClient().fileUrl("f1")).toBe("/api/files/f1");
    expect(createParlorClient({ baseUrl: "/chat" }).fileUrl("f1")).toBe("/chat/api/files/f1");
    expect(createParlorClient({ baseUrl: "https://example.com/chat/" }).fileUrl("f1")).toBe("https://example.com/chat/api/files/f1");
  });

  it("starts with nothing known and no socket", () => {
    const client = createParlorClient();
    expect(client.auth.getSnapshot()).toMatchObject({ status: "loading", isReady: false, user: null });
    expect(client.socket).toBeNull();
    expect(client.connection.getSnapshot().state).toBe("disconnected");
  });
});
