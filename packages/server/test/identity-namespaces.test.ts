import { Migrator, PostgresAdapter, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { migrations } from "../src/data/migrations/index.js";
import { openDatabase, type Database } from "../src/data/database.js";
import { resolveDatabaseConfig } from "../src/config/resolve-config.js";
import { migrateToLatest } from "../src/data/migrate.js";
import { dialects, type TestDialect } from "./helpers/databases.js";
import { startOidcProvider, TestBrowser, type TestOidcProvider } from "./helpers/oidc-provider.js";
import { connectSocket, request, type ClientSocket } from "./helpers/socket-client.js";
import { freePort, startTestServer, TEST_PASSWORD, testApp, type TestClient, type TestServer } from "./helpers/test-server.js";

const CLIENT_ID = "parlor-test-client";
const CLIENT_SECRET = "test-client-secret-0123456789-abcdef";

/** Password login for any name with TEST_PASSWORD, header login from `X-Forwarded-User`, and OAuth. */
const appWithEveryLogin = () =>
  testApp({
    auth: {
      password: ({ username, password }) => (password === TEST_PASSWORD ? { identifier: username } : null),
      header: (headers) => {
        const user = headers["x-forwarded-user"];
        return typeof user === "string" ? { identifier: user } : null;
      },
      oauth: {},
    },
  });

describe.each(dialects)("users are kept apart by login method on $name", (dialect) => {
  let t: TestServer | undefined;
  let op: TestOidcProvider | undefined;
  const sockets: ClientSocket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await t?.stop();
    await op?.close();
    t = op = undefined;
  });

  /** Parlor with password, header (from loopback) and OAuth provider `corp` (a real OpenID provider). */
  async function start(options: { database?: Awaited<ReturnType<TestDialect["create"]>> } = {}) {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    op = await startOidcProvider({
      clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [`${origin}/auth/oauth/corp/callback`] }],
    });
    t = await startTestServer({
      dialect,
      ...options,
      port,
      app: appWithEveryLogin(),
      server: { trustedProxies: ["loopback"] },
      env: { PARLOR_OAUTH_CORP_CLIENT_ID: CLIENT_ID, PARLOR_OAUTH_CORP_CLIENT_SECRET: CLIENT_SECRET, PARLOR_OAUTH_CORP_ISSUER: op.issuer },
    });
    return t;
  }

  /** Signs in at the OpenID provider as `sub` and comes back with a Parlor session, as a TestClient. */
  async function oauthLogin(sub: string): Promise<TestClient> {
    const browser = new TestBrowser();
    const { callbackUrl } = await browser.loginAtProvider(`${t!.origin}/auth/oauth/corp`, sub);
    expect((await browser.request(callbackUrl)).location).toBe(`${t!.origin}/`);
    const client = t!.client();
    client.sessionCookie = browser.cookies(t!.origin).get(t!.server.config.cookie.name)!;
    client.csrfToken = (await client.get("/auth/me")).body.csrfToken;
    return client;
  }

  async function passwordLogin(name: string): Promise<TestClient> {
    const client = t!.client();
    expect((await client.login(name)).status).toBe(200);
    return client;
  }

  const whoAmI = async (client: TestClient) => (await client.get("/auth/me")).body.user as { id: string; identifier: string };

  async function startThread(client: TestClient, content: string): Promise<string> {
    const socket = await connectSocket(t!, client);
    sockets.push(socket);
    const ack = await request(socket, "message:send", { content });
    expect(ack.ok).toBe(true);
    return ack.threadId;
  }

  it("a password user named `corp:<sub>` is not provider corp's user <sub>, and sees none of its threads", async () => {
    await start();
    const victim = await oauthLogin("alice");
    const victimUser = await whoAmI(victim);
    expect(victimUser.identifier).toBe("corp:alice");
    const secretThread = await startThread(victim, "the quarterly numbers");

    const mallory = await passwordLogin("corp:alice");
    const malloryUser = await whoAmI(mallory);
    expect(malloryUser.identifier).toBe("corp:alice");
    expect(malloryUser.id).not.toBe(victimUser.id);
    expect((await mallory.get("/api/threads")).body.threads).toEqual([]);
    expect((await mallory.get(`/api/threads/${secretThread}`)).status).toBe(404);

    // And the other way round: a name taken by a password user first does not hand its threads to the provider's user.
    const early = await passwordLogin("corp:bob");
    const earlyThread = await startThread(early, "planted before bob arrives");
    const bob = await oauthLogin("bob");
    expect((await whoAmI(bob)).id).not.toBe((await whoAmI(early)).id);
    expect((await bob.get(`/api/threads/${earlyThread}`)).status).toBe(404);
    // Each login method finds its own user again.
    expect((await whoAmI(await oauthLogin("alice"))).id).toBe(victimUser.id);
    expect((await whoAmI(await passwordLogin("corp:alice"))).id).toBe(malloryUser.id);
  });

  it("a header-login user and a password user with the same identifier are two users", async () => {
    await start();
    const byPassword = await passwordLogin("dana");
    const byHeader = t!.client();
    expect((await byHeader.post("/auth/header", { headers: { "x-forwarded-user": "dana" } })).status).toBe(200);
    byHeader.csrfToken = (await byHeader.get("/auth/me")).body.csrfToken;
    expect((await whoAmI(byHeader)).id).not.toBe((await whoAmI(byPassword)).id);
    const count = await t!.server.db.selectFrom("users").select(["auth_method", "identifier"]).orderBy("auth_method").execute();
    expect(count).toEqual([
      { auth_method: "header", identifier: "dana" },
      { auth_method: "password", identifier: "dana" },
    ]);
  });

  it("migrates users created before 0006: same ids and data, claimed by the right login method", async () => {
    const database = await dialect.create();
    const db = await openDatabase(resolveDatabaseConfig({ PARLOR_DATABASE_URL: database.url }));
    let legacy: Record<string, string>;
    try {
      await migrateUpTo(db, "0004");
      legacy = await insertOldShapeRows(db);
      // A column and an index another migration could have added to users before 0006: the rebuild keeps them.
      await sql`ALTER TABLE users ADD COLUMN nickname varchar(32)`.execute(db);
      await sql`CREATE INDEX users_nickname ON users (nickname)`.execute(db);
      await sql`UPDATE users SET nickname = 'ally' WHERE identifier = 'corp:alice'`.execute(db);
      await migrateToLatest(db);
      const nickname = await sql<{ nickname: string }>`SELECT nickname FROM users WHERE nickname = 'ally'`.execute(db);
      expect(nickname.rows).toEqual([{ nickname: "ally" }]);
      await expect(sql`CREATE INDEX users_nickname ON users (nickname)`.execute(db)).rejects.toThrow(/exists/);

      const rows = await db.selectFrom("users").select(["id", "auth_method", "identifier"]).orderBy("identifier").execute();
      expect(rows).toEqual(["carol", "corp:alice", "team:dave"].map((identifier) => ({ id: legacy[identifier], auth_method: "legacy", identifier })));
      // Nothing cascaded away while the table was rebuilt, and the references still hold.
      expect(await db.selectFrom("sessions").select("user_id").orderBy("user_id").execute()).toHaveLength(3);
      expect(await db.selectFrom("threads").select(["id", "user_id"]).orderBy("id").execute()).toEqual([
        { id: "thread-alice", user_id: legacy["corp:alice"] },
        { id: "thread-carol", user_id: legacy.carol },
      ]);
      await expect(
        sql`INSERT INTO threads (id, user_id, name, created_at, updated_at) VALUES ('orphan', 'no-such-user', 'x', 1, 1)`.execute(db),
      ).rejects.toThrow();
      // Two users may now share an identifier, one per method; the same method twice is still refused.
      await sql`INSERT INTO users (id, auth_method, identifier, metadata, created_at, updated_at) VALUES ('u-new', 'password', 'carol', '{}', 1, 1)`.execute(
        db,
      );
      await expect(
        sql`INSERT INTO users (id, auth_method, identifier, metadata, created_at, updated_at) VALUES ('u-dup', 'password', 'carol', '{}', 1, 1)`.execute(db),
      ).rejects.toThrow();
      await sql`DELETE FROM users WHERE id = 'u-new'`.execute(db);
    } finally {
      await db.destroy();
    }

    await start({ database });
    // `corp:alice` looks like provider corp's default identifier: a password login may not take it…
    const impostor = await passwordLogin("corp:alice");
    expect((await whoAmI(impostor)).id).not.toBe(legacy["corp:alice"]);
    expect((await impostor.get("/api/threads")).body.threads).toEqual([]);
    // …provider corp's user alice does, with her thread.
    const alice = await oauthLogin("alice");
    expect((await whoAmI(alice)).id).toBe(legacy["corp:alice"]);
    expect((await alice.get("/api/threads")).body.threads.map((thread: { id: string }) => thread.id)).toEqual(["thread-alice"]);
    // Any other identifier goes to the first method that logs in with it, as before, and stays with it.
    const carol = await passwordLogin("carol");
    expect((await whoAmI(carol)).id).toBe(legacy.carol);
    expect((await carol.get("/api/threads")).body.threads.map((thread: { id: string }) => thread.id)).toEqual(["thread-carol"]);
    const headerCarol = t!.client();
    await headerCarol.post("/auth/header", { headers: { "x-forwarded-user": "carol" } });
    expect((await whoAmI(headerCarol)).id).not.toBe(legacy.carol);
    const dave = await passwordLogin("team:dave");
    expect((await whoAmI(dave)).id).toBe(legacy["team:dave"]);
    const methods = await t!.server.db.selectFrom("users").select(["auth_method", "identifier"]).where("auth_method", "=", "legacy").execute();
    expect(methods).toEqual([]);
  });
});

/** Runs the migrations before `below` (exclusive), as a database made by an older Parlor has them. */
async function migrateUpTo(db: Database, below: string) {
  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const schema = isPostgres ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]!.schema : undefined;
  const older = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < below));
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => older },
    migrationTableName: "parlor_migrations",
    migrationLockTableName: "parlor_migrations_lock",
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error } = await migrator.migrateToLatest();
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- Kysely hands back what the migration threw, as it was
  if (error) throw error;
}

/** Users, sessions and threads exactly as the code before 0006 wrote them, in raw SQL. Returns user ids by identifier. */
async function insertOldShapeRows(db: Database): Promise<Record<string, string>> {
  const ids = { "corp:alice": "user-alice-0000", carol: "user-carol-0000", "team:dave": "user-dave-00000" };
  for (const [identifier, id] of Object.entries(ids)) {
    await sql`INSERT INTO users (id, identifier, display_name, metadata, created_at, updated_at) VALUES (${id}, ${identifier}, ${null}, '{}', 1, 1)`.execute(
      db,
    );
    await sql`INSERT INTO sessions (id, user_id, client, created_at, last_seen_at, expires_at) VALUES (${`session-${id}-${"x".repeat(20)}`}, ${id}, 'web', 1, 1, 2)`.execute(
      db,
    );
  }
  await sql`INSERT INTO threads (id, user_id, name, created_at, updated_at) VALUES ('thread-alice', ${ids["corp:alice"]}, 'numbers', 1, 1)`.execute(db);
  await sql`INSERT INTO threads (id, user_id, name, created_at, updated_at) VALUES ('thread-carol', ${ids.carol}, 'recipes', 1, 1)`.execute(db);
  return ids;
}
