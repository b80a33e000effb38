import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeOpenAI {
  /** What to set as OPENAI_BASE_URL. */
  baseUrl: string;
  /** Every request to /chat/completions: its Authorization header and JSON body. */
  requests: Array<{ authorization: string | undefined; body: any }>;
  close(): Promise<void>;
}

/** One answer of the fake model: text pieces, or a call of one tool. */
export type FakeTurn = { text: string[] } | { toolCall: string };

/**
 * A stand-in for an OpenAI-compatible `/v1/chat/completions`: answers each request with the
 * next turn, as the server-sent events the real endpoint sends, and records what it was asked.
 */
export async function fakeOpenAI(turns: FakeTurn[]): Promise<FakeOpenAI> {
  const requests: FakeOpenAI["requests"] = [];
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    requests.push({ authorization: req.headers.authorization, body: JSON.parse(raw) });
    const turn = turns[requests.length - 1] ?? { text: ["(no answer scripted)"] };
    const deltas =
      "toolCall" in turn
        ? [{ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: turn.toolCall, arguments: "{}" } }] }]
        : turn.text.map((content) => ({ content }));
    res.writeHead(200, { "content-type": "text/event-stream" });
    deltas.forEach((delta, index) => {
      const finish = index < deltas.length - 1 ? null : "toolCall" in turn ? "tool_calls" : "stop";
      const chunk = { id: "c1", object: "chat.completion.chunk", created: 0, model: "fake", choices: [{ index: 0, delta, finish_reason: finish }] };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    });
    res.end("data: [DONE]\n\n");
  };
  const server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => res.destroy(error instanceof Error ? error : undefined));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
