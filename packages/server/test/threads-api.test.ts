import { describe, expect, it } from "vitest";
import { ThreadStore, type MessageRow, type ThreadRow } from "../src/data/thread-store.js";
import { dialects, type RequestOptions, startTestServer, type TestClient, type TestServer } from "@parlor/test-support";

/** Each bad input gets a 4xx in the documented error shape. */
const errorShape = (code: string) => ({ error: { code, message: expect.any(String) } });

/** A well-formed thread id that no thread has. */
const MADE_UP_ID = "0000000000000nosuchthread00";

const iso = (ms: number) => new Date(ms).toISOString();
const summary = (row: ThreadRow) => ({ id: row.id, name: row.name, createdAt: iso(row.created_at), updatedAt: iso(row.updated_at) });
const newestFirst = (a: ThreadRow, b: ThreadRow) => b.updated_at - a.updated_at || (a.id < b.id ? 1 : -1);

describe.each(dialects)("threads API on $name", (dialect) => {
  let t: TestServer;
  let store: ThreadStore;
  /** Seed times: well before the server's clock, so a rename is always the newest. */
  let base: number;

  const start = async () => {
    t = await startTestServer({ dialect });
    store = new ThreadStore(t.server.db);
    base = t.clock.now() - 3600_000;
  };

  /** A logged-in browser and its user id. */
  const user = async (name: string): Promise<{ client: TestClient; id: string }> => {
    const client = t.client();
    expect((await client.login(name)).status).toBe(200);
    const me = await client.get("/auth/me");
    return { client, id: me.body.user.id };
  };

  const patch = (client: TestClient, path: string, json: unknown, init: RequestOptions = {}) => client.request("PATCH", path, { json, ...init });

  const threadRow = (id: string) => t.server.db.selectFrom("threads").selectAll().where("id", "=", id).executeTakeFirst();
  const messageRows = (threadId: string) => t.server.db.selectFrom("messages").selectAll().where("thread_id", "=", threadId).orderBy("id").execute();
  const allRows = async () => ({
    threads: await t.server.db.selectFrom("threads").selectAll().orderBy("id").execute(),
    messages: await t.server.db.selectFrom("messages").selectAll().orderBy("id").execute(),
  });

  const message = (threadId: string, content: string, createdAt: number, extra: Partial<MessageRow> = {}) =>
    store.insertMessage({ thread_id: threadId, role: "user", content, status: "complete", created_at: createdAt, parent_id: null, ...extra });

  /** Follows `nextCursor` to the end; returns each page's ids. */
  const allPages = async (client: TestClient, query: string) => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const response = await client.get(`/api/threads?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(response.status).toBe(200);
      pages.push(response.body.threads.map((thread: { id: string }) => thread.id));
      cursor = response.body.nextCursor;
      expect(pages.length).toBeLessThan(20);
    } while (cursor !== null);
    return pages;
  };

  describe("GET /api/threads", () => {
    it("lists only the user's own threads, newest activity first, as ThreadSummary", async () => {
      await start();
      const alice = await user("alice");
      const bob = await user("bob");
      const old = await store.createThread(alice.id, "Old", base);
      const newest = await store.createThread(alice.id, "Newest", base + 3000);
      const middle = await store.createThread(alice.id, "Middle", base + 1000);
      await store.createThread(bob.id, "Bob's", base + 5000);
      await store.touchThread(old.id, base + 2000); // activity moves it up
      old.updated_at = base + 2000;

      const response = await alice.client.get("/api/threads");
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ threads: [summary(newest), summary(old), summary(middle)], nextCursor: null });
      expect(response.body.threads[1]).toEqual({ id: old.id, name: "Old", createdAt: iso(base), updatedAt: iso(base + 2000) });

      const bobs = await bob.client.get("/api/threads");
      expect(bobs.body.threads.map((thread: { name: string }) => thread.name)).toEqual(["Bob's"]);
    });

    it("answers an empty list for a user with no threads", async () => {
      await start();
      const carol = await user("carol");
      const response = await carol.client.get("/api/threads");
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ threads: [], nextCursor: null });
    });

    it("pages 25 threads 10 at a time: 10, 10, 5, every thread once, in order", async () => {
      await start();
      const alice = await user("alice");
      const created: ThreadRow[] = [];
      // Three threads share each timestamp, so pages also split inside a tie.
      for (let i = 0; i < 25; i++) created.push(await store.createThread(alice.id, `Thread ${i}`, base + Math.floor(i / 3) * 1000));
      const expected = [...created].sort(newestFirst).map((row) => row.id);

      const pages = await allPages(alice.client, "limit=10");
      expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
      expect(pages.flat()).toEqual(expected);
      expect(new Set(pages.flat()).size).toBe(25);
    });

    it("returns 20 by default, up to 100 on request, and a cursor only when more remain", async () => {
      await start();
      const alice = await user("alice");
      for (let i = 0; i < 25; i++) await store.createThread(alice.id, `Thread ${i}`, base + i);

      const first = await alice.client.get("/api/threads");
      expect(first.body.threads).toHaveLength(20);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const all = await alice.client.get("/api/threads?limit=100");
      expect(all.body.threads).toHaveLength(25);
      expect(all.body.nextCursor).toBeNull();
      const exact = await alice.client.get("/api/threads?limit=25");
      expect(exact.body.threads).toHaveLength(25);
      expect(exact.body.nextCursor).toBeNull();
      const one = await alice.client.get("/api/threads?limit=1");
      expect(one.body.threads.map((thread: { name: string }) => thread.name)).toEqual(["Thread 24"]);
    });

    it("keeps later pages stable when a new thread arrives between pages", async () => {
      await start();
      const alice = await user("alice");
      for (let i = 0; i < 6; i++) await store.createThread(alice.id, `Thread ${i}`, base + i * 1000);
      const first = await alice.client.get("/api/threads?limit=3");
      await store.createThread(alice.id, "Brand new", t.clock.now());
      const second = await alice.client.get(`/api/threads?limit=3&cursor=${first.body.nextCursor}`);

      const names = (response: typeof first) => response.body.threads.map((thread: { name: string }) => thread.name);
      expect(names(first)).toEqual(["Thread 5", "Thread 4", "Thread 3"]);
      expect(names(second)).toEqual(["Thread 2", "Thread 1", "Thread 0"]);
      expect(second.body.nextCursor).toBeNull();
    });

    it("searches thread names and message contents case-insensitively, in the user's threads only", async () => {
      await start();
      const alice = await user("alice");
      const bob = await user("bob");
      const byName = await store.createThread(alice.id, "Quarterly REPORT", base + 1000);
      const byMessage = await store.createThread(alice.id, "Misc", base + 2000);
      await message(byMessage.id, "Hello", base + 2000);
      await message(byMessage.id, "The Report is attached", base + 2001, { role: "assistant" });
      await message(byMessage.id, "another report", base + 2002); // two hits, still one thread
      const neither = await store.createThread(alice.id, "Holidays", base + 3000);
      await message(neither.id, "beach", base + 3000);
      const bobs = await store.createThread(bob.id, "Bob's report", base + 4000);
      await message(bobs.id, "report", base + 4000);

      const search = async (q: string) => {
        const response = await alice.client.get(`/api/threads?q=${encodeURIComponent(q)}`);
        expect(response.status).toBe(200);
        return response.body.threads.map((thread: { id: string }) => thread.id);
      };
      expect(await search("report")).toEqual([byMessage.id, byName.id]);
      expect(await search("rEpOrT")).toEqual([byMessage.id, byName.id]);
      expect(await search("quarterly")).toEqual([byName.id]);
      expect(await search("is ATTACHED")).toEqual([byMessage.id]);
      expect(await search("BEACH")).toEqual([neither.id]);
      expect(await search("nowhere")).toEqual([]);
      // An empty q is no filter.
      expect(await search("")).toEqual([neither.id, byMessage.id, byName.id]);
    });

    it("takes % and _ (and \\) in q literally", async () => {
      await start();
      const alice = await user("alice");
      const percent = await store.createThread(alice.id, "100% done", base + 1000);
      await store.createThread(alice.id, "100 percent done", base + 2000);
      const underscore = await store.createThread(alice.id, "snake_case", base + 3000);
      await store.createThread(alice.id, "snakeXcase", base + 4000);
      const inMessage = await store.createThread(alice.id, "Plain", base + 5000);
      await message(inMessage.id, "50%_off", base + 5000);
      const backslash = await store.createThread(alice.id, "C:\\temp", base + 6000);
      await store.createThread(alice.id, "C:temp", base + 7000);

      const search = async (q: string) =>
        (await alice.client.get(`/api/threads?q=${encodeURIComponent(q)}`)).body.threads.map((thread: { id: string }) => thread.id);
      expect(await search("100%")).toEqual([percent.id]);
      expect(await search("%")).toEqual([inMessage.id, percent.id]);
      expect(await search("snake_case")).toEqual([underscore.id]);
      expect(await search("_")).toEqual([inMessage.id, underscore.id]);
      expect(await search("%_")).toEqual([inMessage.id]);
      expect(await search("C:\\t")).toEqual([backslash.id]);
    });

    it("finds non-ASCII text whatever its case", async () => {
      await start();
      const alice = await user("alice");
      const thread = await store.createThread(alice.id, "Über Straße", base);
      const other = await store.createThread(alice.id, "Misc", base + 1000);
      await message(other.id, "ÉTÉ À PARIS", base + 1000);

      const search = async (q: string) => (await alice.client.get(`/api/threads?q=${encodeURIComponent(q)}`)).body.threads.map((row: { id: string }) => row.id);
      expect(await search("Über")).toEqual([thread.id]);
      expect(await search("über")).toEqual([thread.id]);
      expect(await search("ÜBER")).toEqual([thread.id]);
      expect(await search("été à")).toEqual([other.id]);
    });

    it("pages search results with the same cursor rules", async () => {
      await start();
      const alice = await user("alice");
      const matching: ThreadRow[] = [];
      for (let i = 0; i < 12; i++) {
        matching.push(await store.createThread(alice.id, `Match ${i}`, base + i * 100));
        await store.createThread(alice.id, `Other ${i}`, base + i * 100 + 50);
      }
      const pages = await allPages(alice.client, "limit=5&q=match");
      expect(pages.map((page) => page.length)).toEqual([5, 5, 2]);
      expect(pages.flat()).toEqual([...matching].sort(newestFirst).map((row) => row.id));
    });

    it.each([
      ["limit=0"],
      ["limit=101"],
      ["limit=-1"],
      ["limit=abc"],
      ["limit=1.5"],
      ["limit=1e1"],
      ["limit=5&limit=6"],
      ["cursor=not-a-cursor"],
      [`cursor=${Buffer.from(JSON.stringify({ updatedAt: 1, id: "x" })).toString("base64url")}`],
      [`cursor=${Buffer.from(JSON.stringify([1.5, "x"])).toString("base64url")}`],
      [`cursor=${Buffer.from(JSON.stringify([1, "bad\u0000id"])).toString("base64url")}`],
      [`cursor=${"A".repeat(201)}`],
      [`q=${"x".repeat(201)}`],
      ["q=a%00b"],
      ["q=a&q=b"],
    ])("answers 400 invalid_request for %s", async (query) => {
      await start();
      const alice = await user("alice");
      await store.createThread(alice.id, "Mine", base);
      const response = await alice.client.get(`/api/threads?${query}`);
      expect(response.status).toBe(400);
      expect(response.body).toEqual(errorShape("invalid_request"));
    });

    it("accepts q of exactly 200 characters", async () => {
      await start();
      const alice = await user("alice");
      const long = await store.createThread(alice.id, "y".repeat(200), base);
      const response = await alice.client.get(`/api/threads?q=${"Y".repeat(200)}`);
      expect(response.status).toBe(200);
      expect(response.body.threads.map((thread: { id: string }) => thread.id)).toEqual([long.id]);
    });
  });

  describe("GET /api/threads/:id", () => {
    it("answers the thread with its messages in the order they were written", async () => {
      await start();
      const alice = await user("alice");
      const thread = await store.createThread(alice.id, "Chat", base);
      const other = await store.createThread(alice.id, "Other", base);
      await message(other.id, "not this thread", base + 5);
      // Inserted out of order; the two at base + 2 tie and keep their insertion order.
      const third = await message(thread.id, "third", base + 3, { role: "assistant", status: "streaming" });
      const first = await message(thread.id, "first", base + 1, { role: "system" });
      const secondA = await message(thread.id, "second a", base + 2);
      const secondB = await message(thread.id, "second b", base + 2, { role: "assistant", status: "error", parent_id: secondA.id });

      const response = await alice.client.get(`/api/threads/${thread.id}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        ...summary(thread),
        messages: [first, secondA, secondB, third].map((row) => ({
          id: row.id,
          threadId: thread.id,
          role: row.role,
          content: row.content,
          status: row.status,
          createdAt: iso(row.created_at),
          parentId: row.parent_id,
          files: [],
          steps: [],
          actions: [],
          feedback: null,
        })),
        // The echo app declares no chat settings; no profile was chosen.
        settings: {},
        profile: null,
      });
      expect(response.body.messages.map((m: { content: string }) => m.content)).toEqual(["first", "second a", "second b", "third"]);
      expect(response.body.messages[2]).toMatchObject({ role: "assistant", status: "error", parentId: secondA.id });
    });

    it("answers a thread without messages with an empty list", async () => {
      await start();
      const alice = await user("alice");
      const thread = await store.createThread(alice.id, "Empty", base);
      const response = await alice.client.get(`/api/threads/${thread.id}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ...summary(thread), messages: [], settings: {}, profile: null });
    });

    it("answers 404 not_found for an id that does not exist, and 400 for one that cannot", async () => {
      await start();
      const alice = await user("alice");
      const missing = await alice.client.get(`/api/threads/${MADE_UP_ID}`);
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ error: { code: "not_found", message: "No such thread" } });
      for (const bad of ["a%00b", "a.b", "x".repeat(65), "%C3%A9"]) {
        const response = await alice.client.get(`/api/threads/${bad}`);
        expect(response.status, bad).toBe(400);
        expect(response.body).toEqual(errorShape("invalid_request"));
      }
    });
  });

  describe("PATCH /api/threads/:id", () => {
    it("renames the thread, trimming the name, and stamps updatedAt", async () => {
      await start();
      const alice = await user("alice");
      const thread = await store.createThread(alice.id, "Untitled", base);
      const newer = await store.createThread(alice.id, "Newer", base + 1000);
      t.clock.advance(60_000);

      const response = await patch(alice.client, `/api/threads/${thread.id}`, { name: "  Trip to Lisbon \n" });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ id: thread.id, name: "Trip to Lisbon", createdAt: iso(base), updatedAt: iso(t.clock.now()) });
      expect(await threadRow(thread.id)).toEqual({ ...thread, name: "Trip to Lisbon", updated_at: t.clock.now() });
      const list = await alice.client.get("/api/threads");
      expect(list.body.threads.map((row: { id: string }) => row.id)).toEqual([thread.id, newer.id]);
    });

    it("accepts a name of exactly 255 characters (UTF-16 units), emoji included", async () => {
      await start();
      const alice = await user("alice");
      const thread = await store.createThread(alice.id, "Untitled", base);
      const name = "é".repeat(253) + "🎉";
      expect(name).toHaveLength(255);
      const response = await patch(alice.client, `/api/threads/${thread.id}`, { name });
      expect(response.status).toBe(200);
      expect((await threadRow(thread.id))?.name).toBe(name);
    });

    it.each([
      ["an empty name", { name: "" }],
      ["a blank name", { name: " \t\n " }],
      ["a name over 255 characters", { name: "x".repeat(256) }],
      ["a number", { name: 42 }],
      ["null", { name: null }],
      ["no name", { title: "x" }],
      ["a NUL character", { name: "a\u0000b" }],
      ["an unpaired surrogate", { name: "a\ud800b" }],
      ["an array body", ["x"]],
    ])("answers 400 invalid_request for %s and changes nothing", async (_label, body) => {
      await start();
      const alice = await user("alice");
      const thread = await store.createThread(alice.id, "Untitled", base);
      const before = await allRows();
      const response = await patch(alice.client, `/api/threads/${thread.id}`, body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual(errorShape("invalid_request"));
      expect(await allRows()).toEqual(before);
    });

    it("answers 400 for malformed JSON and for no body at all, and changes nothing", async () => {
      await start();
      const alice = await user("alice");
      const thread = await store.createThread(alice.id, "Untitled", base);
      const before = await allRows();
      const malformed = await alice.client.request("PATCH", `/api/threads/${thread.id}`, {
        body: '{"name": ',
        headers: { "content-type": "application/json" },
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body).toEqual(errorShape("invalid_json"));
      const empty = await alice.client.request("PATCH", `/api/threads/${thread.id}`);
      expect(empty.status).toBe(400);
      expect(empty.body).toEqual(errorShape("invalid_request"));
      expect(await allRows()).toEqual(before);
    });

    it("answers 404 for a missing thread", async () => {
      await start();
      const alice = await user("alice");
      const response = await patch(alice.client, `/api/threads/${MADE_UP_ID}`, { name: "x" });
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: { code: "not_found", message: "No such thread" } });
    });
  });

  describe("DELETE /api/threads/:id", () => {
    it("deletes the thread and its messages, and nothing else", async () => {
      await start();
      const alice = await user("alice");
      const doomed = await store.createThread(alice.id, "Doomed", base);
      await message(doomed.id, "one", base + 1);
      await message(doomed.id, "two", base + 2);
      const kept = await store.createThread(alice.id, "Kept", base + 10);
      const keptMessage = await message(kept.id, "stays", base + 11);
      expect(await messageRows(doomed.id)).toHaveLength(2);

      const response = await alice.client.delete(`/api/threads/${doomed.id}`);
      expect(response.status).toBe(204);
      expect(response.body).toBeNull();
      expect(await threadRow(doomed.id)).toBeUndefined();
      expect(await messageRows(doomed.id)).toEqual([]);
      expect(await allRows()).toEqual({ threads: [kept], messages: [keptMessage] });

      expect((await alice.client.get(`/api/threads/${doomed.id}`)).status).toBe(404);
      const again = await alice.client.delete(`/api/threads/${doomed.id}`);
      expect(again.status).toBe(404);
      expect(again.body).toEqual({ error: { code: "not_found", message: "No such thread" } });
    });
  });

  describe("another user's thread", () => {
    it("is not found for GET, PATCH and DELETE, with the same body as a made-up id, and stays unchanged", async () => {
      await start();
      const alice = await user("alice");
      const bob = await user("bob");
      const thread = await store.createThread(alice.id, "Alice's secrets", base);
      await message(thread.id, "private", base + 1);
      const before = await allRows();

      const attempts = [
        ["GET", (id: string) => bob.client.get(`/api/threads/${id}`)],
        ["PATCH", (id: string) => patch(bob.client, `/api/threads/${id}`, { name: "pwned" })],
        ["DELETE", (id: string) => bob.client.delete(`/api/threads/${id}`)],
      ] as const;
      for (const [method, send] of attempts) {
        const theirs = await send(thread.id);
        const madeUp = await send(MADE_UP_ID);
        expect(theirs.status, method).toBe(404);
        expect(theirs.body, method).toEqual({ error: { code: "not_found", message: "No such thread" } });
        expect(theirs.body, method).toEqual(madeUp.body);
        expect(theirs.headers.get("content-type"), method).toBe(madeUp.headers.get("content-type"));
      }
      expect((await bob.client.get("/api/threads?q=secrets")).body.threads).toEqual([]);
      expect(await allRows()).toEqual(before);
      const own = await alice.client.get(`/api/threads/${thread.id}`);
      expect(own.status).toBe(200);
      expect(own.body.name).toBe("Alice's secrets");
      expect(own.body.messages).toHaveLength(1);
    });
  });

  describe("auth and CSRF", () => {
    it("answers 401 unauthenticated without a session, and changes nothing", async () => {
      await start();
      const alice = await user("alice");
      const thread = await store.createThread(alice.id, "Mine", base);
      const before = await allRows();
      const anonymous = t.client();
      for (const response of [
        await anonymous.get("/api/threads"),
        await anonymous.get(`/api/threads/${thread.id}`),
        await patch(anonymous, `/api/threads/${thread.id}`, { name: "x" }),
        await anonymous.delete(`/api/threads/${thread.id}`),
      ]) {
        expect(response.status).toBe(401);
        expect(response.body).toEqual(errorShape("unauthenticated"));
      }
      expect(await allRows()).toEqual(before);
    });

    it("refuses a cross-site PATCH or DELETE with 403 csrf, and changes nothing", async () => {
      await start();
      const alice = await user("alice");
      const thread = await store.createThread(alice.id, "Mine", base);
      await message(thread.id, "hi", base + 1);
      const before = await allRows();
      const crossSite = { headers: { "sec-fetch-site": "cross-site", origin: "https://evil.example" } };

      const renamed = await patch(alice.client, `/api/threads/${thread.id}`, { name: "pwned" }, crossSite);
      expect(renamed.status).toBe(403);
      expect(renamed.body).toEqual(errorShape("csrf"));
      const deleted = await alice.client.delete(`/api/threads/${thread.id}`, crossSite);
      expect(deleted.status).toBe(403);
      expect(deleted.body).toEqual(errorShape("csrf"));
      expect(await allRows()).toEqual(before);
    });

    it("refuses a same-origin PATCH or DELETE without the CSRF token", async () => {
      await start();
      const alice = await user("alice");
      const thread = await store.createThread(alice.id, "Mine", base);
      const before = await allRows();
      const noToken = { headers: { "x-csrf-token": undefined } };

      expect((await patch(alice.client, `/api/threads/${thread.id}`, { name: "x" }, noToken)).body).toEqual(errorShape("csrf"));
      expect((await alice.client.delete(`/api/threads/${thread.id}`, noToken)).body).toEqual(errorShape("csrf"));
      expect(await allRows()).toEqual(before);
    });

    it("accepts a bearer token without Fetch Metadata or a CSRF token", async () => {
      await start();
      const alice = await user("alice");
      const thread = await store.createThread(alice.id, "Mine", base);
      const api = t.client();
      const headers = { authorization: `Bearer ${alice.client.sessionCookie}`, "sec-fetch-site": undefined, origin: undefined };

      const renamed = await patch(api, `/api/threads/${thread.id}`, { name: "Via API" }, { headers });
      expect(renamed.status).toBe(200);
      expect(renamed.body.name).toBe("Via API");
      expect((await api.delete(`/api/threads/${thread.id}`, { headers })).status).toBe(204);
      expect(await threadRow(thread.id)).toBeUndefined();
    });
  });
});
