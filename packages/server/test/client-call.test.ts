import type { ClientCall, ClientCallAnswer } from "@parlor/protocol";
import { type ClientSocket, connectSocket, echoApp, EventLog, request, startTestServer, type TestServer } from "@parlor/test-support";
import { beforeEach, describe, expect, it } from "vitest";
import { ClientCallError } from "parlor";
import { EMBED_SECRET, HOST_ORIGIN, mintHostToken } from "./helpers/host-token.js";

/**
 * An app that runs `chat.callClient` with what the message asks for (JSON: name, args,
 * timeout) and answers with the outcome, so the test reads it back as the reply.
 */
const callingApp = () =>
  echoApp({
    async onMessage(message, chat) {
      const { name, args, bigArgs, timeout } = JSON.parse(message.content) as { name: string; args: never; bigArgs?: number; timeout?: number };
      try {
        // `bigArgs`: arguments larger than a message may be.
        const result = await chat.callClient(name, bigArgs === undefined ? args : "x".repeat(bigArgs), timeout === undefined ? {} : { timeout });
        await chat.send(JSON.stringify({ ok: true, result }));
      } catch (error) {
        await chat.send(JSON.stringify({ ok: false, typed: error instanceof ClientCallError, code: (error as ClientCallError).code }));
      }
    },
  });

/** The host page's functions, as the widget's iframe would relay them. */
const functions: Record<string, (args: any, socket: ClientSocket) => unknown> = {
  "cart.add": (args: { sku: string }) => ({ added: args.sku, count: 2 }),
  boom: () => {
    throw new Error("out of stock");
  },
  huge: () => "x".repeat(70 * 1024),
  silent: () => new Promise(() => {}),
  leave: (_args, socket) => {
    socket.disconnect();
    return new Promise(() => {});
  },
};

function answerCalls(socket: ClientSocket, calls: ClientCall[]) {
  socket.on("client:call", (call, ack) => {
    calls.push(call);
    const fn = functions[call.name];
    if (fn === undefined) return ack({ ok: false, error: { code: "unknown_function", message: `no function ${call.name}` } });
    Promise.resolve()
      .then(() => fn(call.args, socket))
      .then(
        (result) => ack({ ok: true, result } as ClientCallAnswer),
        (error: Error) => ack({ ok: false, error: { code: "function_failed", message: error.message } }),
      );
  });
}

describe("chat.callClient: the app runs the host page's functions through the widget", () => {
  // One server per test, shared by its widgets; the kit stops it when the test ends.
  let t: TestServer | undefined;
  beforeEach(() => {
    t = undefined;
  });

  async function widget() {
    t ??= await startTestServer({ app: callingApp(), server: { embeds: { shop: { secret: EMBED_SECRET, origins: [HOST_ORIGIN] } } } });
    const exchanged = await t.client().post("/auth/token", { json: { token: await mintHostToken("42", { audience: t.origin }) } });
    const token = exchanged.body.accessToken as string;
    const socket = await connectSocket(t, null, { token });
    const calls: ClientCall[] = [];
    answerCalls(socket, calls);
    return { socket, token, calls };
  }

  /** Sends the call request as a message and returns the app's reply, read back over HTTP. */
  async function outcome(socket: ClientSocket, token: string, call: { name: string; args?: unknown; bigArgs?: number; timeout?: number }) {
    const ack = await request(socket, "message:send", { content: JSON.stringify(call) });
    expect(ack.ok).toBe(true);
    // Over HTTP: the `leave` function closes the socket before the reply comes.
    for (let i = 0; i < 100; i++) {
      const thread = await t!.client().get(`/api/threads/${ack.threadId}`, { headers: { authorization: `Bearer ${token}` } });
      const reply = thread.body.messages?.find((m: { role: string }) => m.role === "assistant");
      if (reply?.status === "complete") return JSON.parse(reply.content) as { ok: boolean; result?: unknown; typed?: boolean; code?: string };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error("no reply");
  }

  it("asks the widget socket that sent the message and returns the function's result", async () => {
    const { socket, token, calls } = await widget();
    const other = await widget(); // another widget session: never asked
    expect(await outcome(socket, token, { name: "cart.add", args: { sku: "A-1" } })).toEqual({ ok: true, result: { added: "A-1", count: 2 } });
    expect(calls).toEqual([{ name: "cart.add", args: { sku: "A-1" } }]);
    expect(other.calls).toEqual([]);
  });

  it("rejects with a typed error: unknown function, thrown error, timeout, oversize arguments or result, closed socket", async () => {
    const { socket, token, calls } = await widget();
    const failure = (code: string) => ({ ok: false, typed: true, code });
    expect(await outcome(socket, token, { name: "nope" })).toEqual(failure("unknown_function"));
    expect(await outcome(socket, token, { name: "boom" })).toEqual(failure("function_failed"));
    expect(await outcome(socket, token, { name: "silent", timeout: 300 })).toEqual(failure("timeout"));
    expect(await outcome(socket, token, { name: "huge" })).toEqual(failure("too_large"));
    const sent = calls.length;
    expect(await outcome(socket, token, { name: "cart.add", bigArgs: 70 * 1024 })).toEqual(failure("too_large"));
    expect(calls).toHaveLength(sent); // refused before it was sent
    expect(await outcome(socket, token, { name: "leave" })).toEqual(failure("not_connected"));
  });

  it("refuses a call from a message sent by a non-widget client with not_widget", async () => {
    t = await startTestServer({ app: callingApp() });
    const alice = t.client();
    await alice.login("alice");
    const socket = await connectSocket(t, alice);
    const calls: ClientCall[] = [];
    answerCalls(socket, calls);
    const log = new EventLog(socket);
    await request(socket, "message:send", { content: JSON.stringify({ name: "cart.add", args: { sku: "A-1" } }) });
    const end = await log.waitFor((e) => e.event === "message:new" && e.data.role === "assistant");
    expect(JSON.parse(end.data.content)).toEqual({ ok: false, typed: true, code: "not_widget" });
    expect(calls).toEqual([]);
  });
});
