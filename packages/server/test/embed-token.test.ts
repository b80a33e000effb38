import { describe, expect, it } from "vitest";
import { connectSocket, dialects, echoApp, EventLog, request, startTestServer, type TestClient, type TestDialect, type TestServer } from "@parlor/test-support";
import type { AppDefinition, ServerOptions } from "parlor";
import { PNG } from "./helpers/sample-files.js";
import { EMBED_SECRET, HOST_ORIGIN, mintHostToken, type MintOptions } from "./helpers/host-token.js";

const embeds = { shop: { secret: EMBED_SECRET, origins: [HOST_ORIGIN] } };

describe.each(dialects)("POST /auth/token (embedding host tokens) on $name", (dialect: TestDialect) => {
  let t: TestServer | undefined;

  async function start(overrides: Partial<AppDefinition> = {}, server: ServerOptions = {}) {
    t = await startTestServer({ dialect, app: echoApp(overrides), server: { embeds, ...server } });
    return t;
  }
  const mint = (sub: string, options: Partial<MintOptions> = {}) => mintHostToken(sub, { audience: t!.origin, ...options });
  /** The iframe's exchange: same-origin, like login. */
  const exchange = (client: TestClient, token: string, headers: Record<string, string | undefined> = {}) =>
    client.post("/auth/token", { json: { token }, headers });
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
  const rowCounts = async () => ({
    users: (await t!.server.db.selectFrom("users").select("id").execute()).length,
    sessions: (await t!.server.db.selectFrom("sessions").select("id").execute()).length,
  });

  it("exchanges a host token for a bearer session: /auth/me, chat over socket.io, listed as widget, revocable", async () => {
    await start();
    const client = t!.client();
    const response = await exchange(client, await mint("42", { claims: { name: "Ada", email: "ada@shop.example" } }));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.getSetCookie()).toEqual([]);
    const { accessToken, expiresAt, user } = response.body;
    expect(user).toEqual({ id: expect.any(String), identifier: "embed:shop:42", displayName: "Ada" });
    // The session lives as long as its one token: the session's short access-token lifetime.
    const ttl = t!.server.config.session.tokenTtl * 1000;
    expect(Math.abs(Date.parse(expiresAt) - (t!.clock.now() + ttl))).toBeLessThan(1000);

    const me = await client.get("/auth/me", bearer(accessToken));
    expect(me.status).toBe(200);
    expect(me.body.session.client).toBe("widget");
    expect(me.body.user.id).toBe(user.id);

    const socket = await connectSocket(t!, null, { token: accessToken });
    const log = new EventLog(socket);
    const ack = await request(socket, "message:send", { content: "hello from the widget" });
    expect(ack.ok).toBe(true);
    await log.waitFor((e) => e.event === "message:end");

    const list = await client.get("/auth/sessions", bearer(accessToken));
    expect(list.body.sessions).toEqual([expect.objectContaining({ id: me.body.session.id, client: "widget", embed: "shop", current: true })]);

    const revoked = await client.delete(`/auth/sessions/${me.body.session.id}`, bearer(accessToken));
    expect(revoked.status).toBe(204);
    expect((await client.get("/auth/me", bearer(accessToken))).status).toBe(401);
    await expect(connectSocket(t!, null, { token: accessToken })).rejects.toThrow();
  });

  it("uploads files by bearer and shows them through signed URLs", async () => {
    await start();
    const client = t!.client();
    const { accessToken } = (await exchange(client, await mint("42"))).body;
    const data = new FormData();
    data.append("file", new Blob([PNG], { type: "image/png" }), "photo.png");
    // As the iframe sends it: the bearer token, no cookie, no CSRF token.
    const uploaded = await client.post("/api/files", { form: data, ...bearer(accessToken) });
    expect(uploaded.status).toBe(201);
    const signed = await client.get(`/api/files/${uploaded.body.id}/signed-url`, bearer(accessToken));
    expect(signed.status).toBe(200);
    // An <img> in the iframe sends no Authorization header: the signed URL alone is enough.
    const shown = await fetch(t!.origin + signed.body.url);
    expect(shown.status).toBe(200);
    expect(Buffer.from(await shown.arrayBuffer())).toEqual(PNG);
  });

  it("keeps widget users apart from the app's users by default", async () => {
    await start();
    const alice = t!.client();
    await alice.login("embed:shop:alice");
    const widget = await exchange(t!.client(), await mint("alice"));
    expect(widget.status).toBe(200);
    expect(widget.body.user.identifier).toBe("embed:shop:alice");
    const me = await alice.get("/auth/me");
    expect(me.body.user.id).not.toBe(widget.body.user.id);
  });

  it("maps widget users onto the app's own users with auth.embed, or refuses them", async () => {
    await start({
      auth: {
        password: ({ username }) => ({ identifier: username }),
        embed: (claims, embedId) => (embedId === "shop" && claims.sub !== "banned" ? { identifier: claims.sub, displayName: claims.name } : null),
      },
    });
    const alice = t!.client();
    await alice.login("alice");
    const widget = await exchange(t!.client(), await mint("alice"));
    expect(widget.status).toBe(200);
    expect(widget.body.user.id).toBe((await alice.get("/auth/me")).body.user.id);
    // Both sessions are alice's, and her sessions page shows the widget one with its embedding.
    const list = await alice.get("/auth/sessions");
    expect(list.body.sessions.map((s: { client: string; embed?: string }) => [s.client, s.embed])).toEqual(
      expect.arrayContaining([
        ["web", undefined],
        ["widget", "shop"],
      ]),
    );

    const before = await rowCounts();
    const refused = await exchange(t!.client(), await mint("banned"));
    expect(refused.status).toBe(401);
    expect(refused.body.error).toEqual({ code: "invalid_token", message: expect.stringContaining("auth.embed") });
    expect(await rowCounts()).toEqual(before);
  });

  const negatives: Array<[string, (origin: string) => Promise<string> | string, RegExp, Record<string, string | undefined>?]> = [
    ["another aud", () => mintHostToken("42", { audience: "https://elsewhere.example" }), /aud/],
    ["an expired token", (aud) => mintHostToken("42", { audience: aud, iat: Math.floor(Date.now() / 1000) - 400, lifetime: 120 }), /expired/],
    ["a too long-lived token", (aud) => mintHostToken("42", { audience: aud, lifetime: 3600 }), /at most 300/],
    ["another secret", (aud) => mintHostToken("42", { audience: aud, secret: "another-secret-0123456789-abcdefghijklmn" }), /signature/],
    ["alg none", (aud) => mintHostToken("42", { audience: aud, alg: "none" }), /HS256/],
    ["no jti", (aud) => mintHostToken("42", { audience: aud, claims: { jti: undefined } }), /jti/],
    ["no sub", (aud) => mintHostToken("42", { audience: aud, claims: { sub: undefined } }), /sub/],
    ["an iat in the future", (aud) => mintHostToken("42", { audience: aud, iat: Math.floor(Date.now() / 1000) + 120 }), /future/],
    ["an unknown iss", (aud) => mintHostToken("42", { audience: aud, issuer: "other" }), /iss/],
    ["garbage", () => "not.a.jwt", /JWT/],
  ];

  it.each(negatives)("refuses %s with 401 invalid_token and creates nothing", async (_name, makeToken, message) => {
    await start();
    const response = await exchange(t!.client(), await makeToken(t!.origin));
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("invalid_token");
    expect(response.body.error.message).toMatch(message);
    expect(response.body.error.message).not.toContain(EMBED_SECRET);
    expect(await rowCounts()).toEqual({ users: 0, sessions: 0 });
  });

  it("under a path prefix, takes the public origin as aud and refuses the public URL with its path", async () => {
    t = await startTestServer({ dialect, app: echoApp(), basePath: "/chat", server: { embeds } });
    // The host's developer may well copy PARLOR_PUBLIC_URL: the message names the origin to use.
    const withPath = await exchange(t.client(), await mint("42", { audience: `${t.origin}/chat/` }));
    expect(withPath.status).toBe(401);
    expect(withPath.body.error).toEqual({ code: "invalid_token", message: `The token's aud must be ${t.origin}` });
    expect(await rowCounts()).toEqual({ users: 0, sessions: 0 });

    const accepted = await exchange(t.client(), await mint("42"));
    expect(accepted.status).toBe(200);
    expect(t.count("POST", "/chat/auth/token")).toBe(2);
  });

  it("refuses an exchange posted from a foreign origin (login's origin rule), creating nothing", async () => {
    await start();
    const response = await exchange(t!.client(), await mint("42"), { "sec-fetch-site": "cross-site", origin: HOST_ORIGIN });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe("csrf");
    expect(await rowCounts()).toEqual({ users: 0, sessions: 0 });
  });

  it("accepts a token once: a replay, even a concurrent one, is refused", async () => {
    await start();
    const token = await mint("42");
    const [a, b] = await Promise.all([exchange(t!.client(), token), exchange(t!.client(), token)]);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
    const replay = await exchange(t!.client(), token);
    expect(replay.status).toBe(401);
    expect(replay.body.error.message).toMatch(/already used/);
    expect((await rowCounts()).sessions).toBe(1);
  });

  it("applies the login rate limit to failed exchanges, not to page views that succeed", async () => {
    await start({}, { loginRateLimit: { max: 3 } });
    for (let i = 0; i < 5; i++) expect((await exchange(t!.client(), await mint(`user-${i}`))).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await exchange(t!.client(), await mint("42", { secret: "another-secret-0123456789-abcdefghijklmn" }))).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it("remembers used tokens across a restart", async () => {
    await start();
    const token = await mint("42");
    expect((await exchange(t!.client(), token)).status).toBe(200);
    t = await t!.restart();
    expect((await exchange(t.client(), token)).status).toBe(401);
  });

  it("ends the sessions of an embedding removed from the config", async () => {
    await start();
    const { accessToken } = (await exchange(t!.client(), await mint("42"))).body;
    const alice = t!.client();
    await alice.login("alice");
    t = await t!.restart({ server: { embeds: {} } });
    expect((await t.client().get("/auth/me", bearer(accessToken))).status).toBe(401);
    const rows = await t.server.db.selectFrom("sessions").select(["client", "revoked_at"]).execute();
    const live = rows.map((row) => [row.client, row.revoked_at === null ? "live" : "revoked"]);
    expect(live.sort()).toEqual([
      ["web", "live"],
      ["widget", "revoked"],
    ]);
    // The app's own sessions are untouched.
    expect((await alice.get("/auth/me")).status).toBe(200);
  });
});
