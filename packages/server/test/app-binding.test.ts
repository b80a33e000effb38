import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { deriveKeyRing } from "../src/crypto/key-ring.js";
import { SignedFileUrls } from "../src/files/signed-file-url.js";
import { PNG } from "./helpers/sample-files.js";
import { echoApp, startTestServer, type TestClient, type TestServer } from "@parlor/test-support";

/**
 * Two deployments that share PARLOR_AUTH_SECRET (the test helper gives every server the same
 * one): nothing one of them signs may be accepted by the other.
 */
describe("apps sharing a secret are bound to themselves", () => {
  let appA: TestServer | undefined;
  let appB: TestServer | undefined;

  async function startBoth(options: { sameName?: boolean } = {}) {
    appA = await startTestServer({ app: echoApp({ name: options.sameName ? "Chat" : "Chat A" }) });
    appB = await startTestServer({ app: echoApp({ name: options.sameName ? "Chat" : "Chat B" }) });
    expect(appA.server.config.secrets.current).toBe(appB.server.config.secrets.current);
    return { a: appA, b: appB };
  }

  /** Sends `token` to `server` as its session cookie, the way a stolen or carried-over cookie arrives. */
  function asCookieOf(server: TestServer, token: string): TestClient {
    const client = server.client();
    client.sessionCookie = token;
    return client;
  }

  it("refuses a session token of another app, as a cookie and as a bearer token", async () => {
    const { a, b } = await startBoth();
    const alice = a.client();
    expect((await alice.login("alice")).status).toBe(200);
    expect((await alice.get("/auth/me")).status).toBe(200);

    const carried = asCookieOf(b, alice.sessionCookie!);
    const me = await carried.get("/auth/me");
    expect(me.status).toBe(401);
    expect(me.body).toEqual({ error: { code: "unauthenticated", message: expect.any(String) } });
    const bearer = await b.client().get("/api/threads", { headers: { authorization: `Bearer ${alice.sessionCookie}` } });
    expect(bearer.status).toBe(401);
  });

  it("refuses it even when both apps have the same name (they differ by public URL)", async () => {
    const { a, b } = await startBoth({ sameName: true });
    const alice = a.client();
    await alice.login("alice");
    expect((await asCookieOf(b, alice.sessionCookie!).get("/auth/me")).status).toBe(401);
  });

  it("puts the app in `aud` and refuses a token for another audience even under the right key", async () => {
    const { a } = await startBoth();
    const alice = a.client();
    await alice.login("alice");
    const claims = JSON.parse(Buffer.from(alice.sessionCookie!.split(".")[1]!, "base64url").toString());
    expect(claims.aud).toBe(a.server.config.appId);

    // Only someone holding the secret can do this; it shows the `aud` check itself, apart from the key.
    const keys = deriveKeyRing(a.server.config, "session-jwt");
    const resign = (aud: string | undefined) => {
      const { aud: _aud, ...rest } = claims;
      return new SignJWT(aud === undefined ? rest : { ...rest, aud })
        .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: keys.current.kid })
        .sign(keys.current.key);
    };
    expect((await asCookieOf(a, await resign(a.server.config.appId)).get("/auth/me")).status).toBe(200);
    expect((await asCookieOf(a, await resign("Chat B@http://127.0.0.1:1/")).get("/auth/me")).status).toBe(401);
    expect((await asCookieOf(a, await resign(undefined)).get("/auth/me")).status).toBe(401);
  });

  it("refuses a CSRF token minted by another app for the same session id", async () => {
    const { a, b } = await startBoth();
    const bob = b.client();
    await bob.login("bob");
    const session = (await bob.get("/auth/me")).body.session.id as string;

    bob.csrfToken = a.server.sessions.csrf.issue(session);
    const refused = await bob.post("/auth/logout");
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("csrf");
    expect((await bob.get("/auth/me")).status).toBe(200);

    bob.csrfToken = b.server.sessions.csrf.issue(session);
    expect((await bob.post("/auth/logout")).status).toBe(204);
  });

  it("refuses a signed file URL minted with another app's key", async () => {
    const { a, b } = await startBoth();
    const bob = b.client();
    await bob.login("bob");
    const form = new FormData();
    form.append("file", new Blob([PNG], { type: "image/png" }), "secret.png");
    const uploaded = await bob.post("/api/files", { form });
    expect(uploaded.status).toBe(201);

    // What app A would sign for that id, exactly as A's file routes sign.
    const signedByA = new SignedFileUrls(deriveKeyRing(a.server.config, "file-url"), 300, a.clock.now).sign(uploaded.body.id).url;
    const refused = await fetch(b.origin + signedByA);
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe("forbidden");

    const own = await bob.get(`/api/files/${uploaded.body.id}/signed-url`);
    expect((await fetch(b.origin + own.body.url)).status).toBe(200);
  });

  it("keeps sessions across a change of public URL when appId is set explicitly", async () => {
    appA = await startTestServer({ app: echoApp({ name: "Chat" }), server: { appId: "chat-prod", session: { cookieName: "chat" } } });
    const alice = appA.client();
    await alice.login("alice");
    expect(appA.server.config.appId).toBe("chat-prod");
    appA = await appA.restart({ server: { publicUrl: "https://chat.example.com" } });
    // The same deployment under its new URL (reached here through the test's loopback address).
    expect((await asCookieOf(appA, alice.sessionCookie!).get("/auth/me")).status).toBe(200);
  });
});
