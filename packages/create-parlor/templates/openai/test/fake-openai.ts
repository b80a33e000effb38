import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeOpenAI {
  /** What to set as OPENAI_BASE_URL. */
  baseUrl: string;
  /** Every request to /chat/completions: its Authorization header and JSON body. */
  requests: Array<{ authorization: string | undefined; body: any }>;
  close(): Promise<void>;
}

/**
 * A stand-in for an OpenAI-compatible `/v1/chat/completions`: streams `pieces` as the
 * server-sent events the real endpoint sends, and records what it was asked.
 */
export async function fakeOpenAI(pieces: string[]): Promise<FakeOpenAI> {
  const requests: FakeOpenAI["requests"] = [];
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    requests.push({ authorization: req.headers.authorization, body: JSON.parse(raw) });
    res.writeHead(200, { "content-type": "text/event-stream" });
    pieces.forEach((content, index) => {
      const finish = index === pieces.length - 1 ? "stop" : null;
      const chunk = {
        id: "c1",
        object: "chat.completion.chunk",
        created: 0,
        model: "fake",
        choices: [{ index: 0, delta: { content }, finish_reason: finish }],
      };
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
