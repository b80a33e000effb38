import { describe, expect, it } from "vitest";
import { MAX_FEEDBACK_COMMENT_LENGTH } from "@parlor/protocol";
import type { FeedbackEvent } from "../src/index.js";
import { dialects, echoApp, eventually, EventLog, request, startTestServer, type TestClient, type TestServer } from "@parlor/test-support";

/** Each bad input gets a 4xx in the documented error shape. */
const errorShape = (code: string) => ({ error: { code, message: expect.any(String) } });

describe.each(dialects)("feedback on replies (PUT /api/messages/:id/feedback) on $name", (dialect) => {
  let t: TestServer;
  let events: FeedbackEvent[];

  const start = async (onFeedback?: (event: FeedbackEvent) => void) => {
    events = [];
    t = await startTestServer({
      dialect,
      captureLogs: true,
      server: { logLevel: "error" },
      app: echoApp({ onFeedback: onFeedback ?? ((event) => void events.push(event)) }),
    });
  };

  /** A logged-in user with a thread holding one question and its echoed reply. */
  const conversation = async (name: string, text = "what time is it") => {
    const client = await t.loggedIn(name);
    const socket = await t.connect(client);
    const log = new EventLog(socket);
    const sent = await request(socket, "message:send", { content: text });
    expect(sent.ok).toBe(true);
    await log.waitFor((e) => e.event === "thread:idle");
    const reply = log.of("message:new").find((m) => m.role === "assistant");
    return { client, threadId: sent.threadId as string, questionId: sent.messageId as string, replyId: reply.messageId as string };
  };

  const put = (client: TestClient, messageId: string, json: unknown, headers?: Record<string, string | undefined>) =>
    client.request("PUT", `/api/messages/${messageId}/feedback`, { json, ...(headers ? { headers } : {}) });
  const feedbackColumns = (messageId: string) =>
    t.server.db.selectFrom("messages").select(["feedback_value", "feedback_comment"]).where("id", "=", messageId).executeTakeFirstOrThrow();
  const replyIn = async (client: TestClient, threadId: string) =>
    (await client.get(`/api/threads/${threadId}`)).body.messages.find((m: { role: string }) => m.role === "assistant");

  it("stores a thumbs down with its comment, shows it in the thread JSON and hands it to onFeedback", async () => {
    await start();
    const alice = await conversation("alice");
    const response = await put(alice.client, alice.replyId, { value: -1, comment: "  Wrong time zone  " });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ messageId: alice.replyId, feedback: { value: -1, comment: "Wrong time zone" } });
    expect(await feedbackColumns(alice.replyId)).toEqual({ feedback_value: -1, feedback_comment: "Wrong time zone" });
    expect((await replyIn(alice.client, alice.threadId)).feedback).toEqual({ value: -1, comment: "Wrong time zone" });

    await eventually("onFeedback called", () => events.length === 1);
    expect(events[0]).toEqual({
      message: { id: alice.replyId, threadId: alice.threadId, content: "what time is it " },
      value: -1,
      comment: "Wrong time zone",
      user: { id: expect.any(String), identifier: "alice", displayName: "User alice" },
    });
  });

  it("replaces a thumbs down with a thumbs up, and value 0 takes the feedback back (null again)", async () => {
    await start();
    const alice = await conversation("alice");
    expect((await put(alice.client, alice.replyId, { value: -1, comment: "meh" })).status).toBe(200);
    const up = await put(alice.client, alice.replyId, { value: 1 });
    expect(up.body.feedback).toEqual({ value: 1 });
    expect(await feedbackColumns(alice.replyId)).toEqual({ feedback_value: 1, feedback_comment: null });

    const cleared = await put(alice.client, alice.replyId, { value: 0 });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toEqual({ messageId: alice.replyId, feedback: null });
    expect((await replyIn(alice.client, alice.threadId)).feedback).toBeNull();
    await eventually("three onFeedback calls", () => events.length === 3);
    expect(events.map((event) => [event.value, event.comment])).toEqual([
      [-1, "meh"],
      [1, null],
      [0, null],
    ]);
  });

  it("every message of a new thread has feedback null", async () => {
    await start();
    const alice = await conversation("alice");
    const thread = await alice.client.get(`/api/threads/${alice.threadId}`);
    expect(thread.body.messages.map((m: { feedback: unknown }) => m.feedback)).toEqual([null, null]);
  });

  describe("authorisation: only the owner of the thread", () => {
    it("answers 404 to another user rating alice's reply, exactly as for an unknown id, and changes nothing", async () => {
      await start();
      const alice = await conversation("alice");
      const bob = await t.loggedIn("bob");
      const theirs = await put(bob, alice.replyId, { value: 1, comment: "I was here" });
      const unknown = await put(bob, "0000000000000nosuchmessage0", { value: 1 });
      expect(theirs.status).toBe(404);
      expect(theirs.body).toEqual(errorShape("not_found"));
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual(theirs.body);
      expect(await feedbackColumns(alice.replyId)).toEqual({ feedback_value: null, feedback_comment: null });
      expect(events).toEqual([]);
    });

    it("refuses a request without a session (401) and a cross-site one without the CSRF token (403 csrf)", async () => {
      await start();
      const alice = await conversation("alice");
      const anonymous = await put(t.client(), alice.replyId, { value: 1 });
      expect(anonymous.status).toBe(401);
      const forged = await put(
        alice.client,
        alice.replyId,
        { value: 1 },
        { "x-csrf-token": undefined, "sec-fetch-site": "cross-site", origin: "https://evil.example" },
      );
      expect(forged.status).toBe(403);
      expect(forged.body).toEqual(errorShape("csrf"));
      const noToken = await put(alice.client, alice.replyId, { value: 1 }, { "x-csrf-token": undefined });
      expect(noToken.status).toBe(403);
      expect(await feedbackColumns(alice.replyId)).toEqual({ feedback_value: null, feedback_comment: null });
    });
  });

  describe("bad input gets a 4xx and changes nothing", () => {
    it("refuses feedback on the user's own message with 422 feedback_not_allowed", async () => {
      await start();
      const alice = await conversation("alice");
      const response = await put(alice.client, alice.questionId, { value: 1 });
      expect(response.status).toBe(422);
      expect(response.body).toEqual(errorShape("feedback_not_allowed"));
      expect(await feedbackColumns(alice.questionId)).toEqual({ feedback_value: null, feedback_comment: null });
    });

    it.each([
      ["a value outside 1, -1, 0", { value: 2 }],
      ["a value as a string", { value: "1" }],
      ["no value", { comment: "nice" }],
      ["a comment over the limit", { value: 1, comment: "x".repeat(MAX_FEEDBACK_COMMENT_LENGTH + 1) }],
      ["a comment with value 0", { value: 0, comment: "why" }],
      ["a comment that is not text", { value: 1, comment: 5 }],
      ["a NUL in the comment", { value: 1, comment: "a\u0000b" }],
      ["an unknown field", { value: 1, score: 5 }],
      ["a body that is not an object", [1]],
    ])("400 invalid_request for %s", async (_case, body) => {
      await start();
      const alice = await conversation("alice");
      const response = await put(alice.client, alice.replyId, body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual(errorShape("invalid_request"));
      expect(await feedbackColumns(alice.replyId)).toEqual({ feedback_value: null, feedback_comment: null });
    });

    it("400 for an id Parlor could not have made, 400 invalid_json for a broken body", async () => {
      await start();
      const alice = await conversation("alice");
      expect((await put(alice.client, "not%20an%20id", { value: 1 })).body).toEqual(errorShape("invalid_request"));
      const broken = await alice.client.request("PUT", `/api/messages/${alice.replyId}/feedback`, {
        body: "{",
        headers: { "content-type": "application/json" },
      });
      expect(broken.status).toBe(400);
      expect(broken.body).toEqual(errorShape("invalid_json"));
    });

    it("accepts a comment of exactly the limit", async () => {
      await start();
      const alice = await conversation("alice");
      const comment = "y".repeat(MAX_FEEDBACK_COMMENT_LENGTH);
      expect((await put(alice.client, alice.replyId, { value: 1, comment })).body.feedback).toEqual({ value: 1, comment });
    });
  });

  it("an onFeedback that throws is logged; the user still gets 200 and the feedback is stored", async () => {
    await start(() => {
      throw new Error("analytics down");
    });
    const alice = await conversation("alice");
    const response = await put(alice.client, alice.replyId, { value: 1 });
    expect(response.status).toBe(200);
    expect(await feedbackColumns(alice.replyId)).toEqual({ feedback_value: 1, feedback_comment: null });
    await eventually("the failure logged", () => t.logs.some((line) => line.msg === "the app's onFeedback failed" && line.err?.message === "analytics down"));
  });
});
