import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { S3Client } from "@aws-sdk/client-s3";

/** s3rver's built-in credentials. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/** What the tests use of s3rver (it ships no types). */
interface S3rver {
  middleware: Array<(ctx: KoaContext, next: () => Promise<void>) => Promise<void>>;
  store: { getResourcePath(bucket: string, key: string | undefined, resource: string): string };
  httpServer: Server;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  type: string;
  body: unknown;
}
// s3rver is CommonJS without types: load it untyped and describe the part in use.
const S3rverClass = createRequire(import.meta.url)("s3rver") as new (options: Record<string, unknown>) => S3rver;

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  /** A client for inspecting the bucket directly. */
  client: S3Client;
  /** Multipart requests seen, to show a test took the multipart path. */
  multipart: { created: number; aborted: number };
  /** Stops the server as an outage would: open connections cut, new ones refused; the data stays. */
  stop(): Promise<void>;
  /** Serves again, on the same port with the same data, after `stop()`. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real S3 server (s3rver) on a random port, data in a temporary directory, with one
 * bucket. s3rver lacks ListMultipartUploads and AbortMultipartUpload; a small middleware
 * adds both on top of its own on-disk upload store, so aborts really delete the parts and
 * pending uploads can be listed with the SDK.
 */
export async function startLocalS3(bucket = "parlor-test"): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), "parlor-s3-"));
  const multipart = { created: 0, aborted: 0 };
  let server = await runS3rver({ directory, bucket, port: 0, multipart });
  const { port } = server.httpServer.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials: LOCAL_S3_CREDENTIALS,
  });
  let running = true;
  const stop = async () => {
    if (!running) return;
    running = false;
    // close() alone waits for idle keep-alive connections (the SDK's) to end by themselves.
    const closed = server.close();
    server.httpServer.closeAllConnections();
    await closed;
  };
  return {
    endpoint,
    bucket,
    client,
    multipart,
    stop,
    async start() {
      if (running) return;
      server = await runS3rver({ directory, bucket, port, multipart });
      running = true;
    },
    async close() {
      client.destroy();
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** An s3rver on `port` (0: any) over the data in `directory`, with the multipart shim. */
async function runS3rver(options: { directory: string; bucket: string; port: number; multipart: LocalS3["multipart"] }): Promise<S3rver> {
  const { directory, bucket, port, multipart } = options;
  const server = new S3rverClass({
    port,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  server.middleware.unshift(async function multipartShim(ctx, next) {
    const [, bucketName = "", ...rest] = ctx.path.split("/");
    const key = decodeURIComponent(rest.join("/"));
    const uploads = server.store.getResourcePath(bucketName, undefined, "uploads");
    if (ctx.method === "GET" && key === "" && "uploads" in ctx.query) {
      const entries: string[] = [];
      for (const uploadId of await readdir(uploads).catch(() => [] as string[])) {
        const uploadKey = await readFile(join(uploads, uploadId, "key"), "utf8");
        entries.push(`<Upload><Key>${escapeXml(uploadKey)}</Key><UploadId>${uploadId}</UploadId></Upload>`);
      }
      ctx.type = "application/xml";
      ctx.body =
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${escapeXml(bucketName)}</Bucket>` +
        `<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>${entries.join("")}</ListMultipartUploadsResult>`;
      return;
    }
    const uploadId = ctx.query.uploadId;
    if (ctx.method === "DELETE" && typeof uploadId === "string" && /^[a-f0-9]+$/.test(uploadId)) {
      multipart.aborted += 1;
      await rm(join(uploads, uploadId), { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    if (ctx.method === "POST" && "uploads" in ctx.query) multipart.created += 1;
    await next();
  });
  await server.run();
  return server;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
