import type { TestClient } from "@parlor/test-support";
import { rawRequest, type RawResult } from "./raw-http.js";

/**
 * `POST /api/files` of one small text file as `client`, written in one go on a raw connection:
 * a refusal (429) comes before the body is read and closes the connection, and fetch, still
 * writing, would fail with EPIPE instead of showing the answer.
 */
export async function rawUpload(client: TestClient, origin: string, content = "hello\n", name = "hello.txt"): Promise<RawResult> {
  const form = new FormData();
  form.append("file", new Blob([content], { type: "text/plain" }), name);
  const url = `${origin}/api/files`;
  const encoded = new Request(url, { method: "POST", body: form });
  const body = await encoded.text();
  const headers = {
    ...client.jar.headersFor(url, "POST"),
    "content-type": encoded.headers.get("content-type")!,
    "content-length": String(Buffer.byteLength(body)),
  };
  const head = Object.entries(headers).map(([header, value]) => `${header}: ${value}`);
  return rawRequest(origin, [`POST /api/files HTTP/1.1`, `host: ${new URL(origin).host}`, ...head, "connection: close", "", body].join("\r\n"));
}
