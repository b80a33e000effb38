import { request as httpRequest, type Agent } from "node:http";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  /** Whether the request went over a connection an earlier request had used. */
  reusedSocket: boolean;
}

/**
 * One request through `agent` (give it `keepAlive: true, maxSockets: 1` to send requests on
 * one connection, as a browser does). Fails fast when the server does not answer: a stalled
 * connection otherwise waits for the keep-alive timeout (72 s).
 */
export function send(agent: Agent, url: string, init: { method: string; headers: Record<string, string>; body?: Buffer }) {
  return new Promise<RawResponse>((resolve, reject) => {
    const req = httpRequest(url, { method: init.method, headers: init.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode!, headers: res.headers, body, reusedSocket: req.reusedSocket });
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${init.method} ${url}: no answer within 5 s (connection stalled)`));
    }, 5000);
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(init.body);
  });
}

/** A `multipart/form-data` body with one file field named `file`. */
export function multipart(bytes: Buffer, name: string) {
  const boundary = "----parlor-keep-alive";
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
