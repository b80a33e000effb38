import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One answer of the fake model: text pieces, or tool calls (their arguments sent in pieces). */
export interface FakeTurn {
  text?: string[];
  toolCalls?: Array<{ name: string; arguments: string }>;
  /** Pause between chunks, so a test can stop the reply mid-answer. */
  delayMs?: number;
}

export interface FakeRequest {
  authorization: string | undefined;
  body: any;
  /** Set when the client hung up before the answer was complete (the user's stop). */
  aborted: boolean;
}

/**
 * A stand-in for an OpenAI-compatible `/v1/chat/completions` on loopback: answers each
 * request with the next scripted turn as server-sent events, chunked the way OpenAI streams
 * (tool call arguments split over several chunks), and records what it was asked and whether
 * the client aborted. No network beyond 127.0.0.1.
 */
export async function startFakeOpenAI(turns: FakeTurn[]) {
  const requests: FakeRequest[] = [];
  let next = 0;
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const request: FakeRequest = { authorization: req.headers.authorization, body: JSON.parse(raw), aborted: false };
    requests.push(request);
    res.on("close", () => {
      if (!res.writableFinished) request.aborted = true;
    });
    const turn = turns[next++];
    if (!turn) {
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "no scripted turn left" } }));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    const send = async (delta: object, finish: string | null = null) => {
      if (res.destroyed) return;
      res.write(
        `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 0, model: "fake", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
      );
      if (turn.delayMs) await new Promise((resolve) => setTimeout(resolve, turn.delayMs));
    };
    await send({ role: "assistant", content: "" });
    for (const piece of turn.text ?? []) await send({ content: piece });
    for (const [index, call] of (turn.toolCalls ?? []).entries()) {
      await send({ tool_calls: [{ index, id: `call_${next}_${index}`, type: "function", function: { name: call.name, arguments: "" } }] });
      const half = Math.ceil(call.arguments.length / 2);
      for (const piece of [call.arguments.slice(0, half), call.arguments.slice(half)]) {
        await send({ tool_calls: [{ index, function: { arguments: piece } }] });
      }
    }
    await send({}, turn.toolCalls ? "tool_calls" : "stop");
    if (!res.destroyed) res.end("data: [DONE]\n\n");
  };
  const server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => res.destroy(error instanceof Error ? error : undefined));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
