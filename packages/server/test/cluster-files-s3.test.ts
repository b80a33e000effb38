import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectSocket, dialects, eventually, EventLog, redisIsAvailable, request, type TestClient, type TestDatabase } from "@parlor/test-support";
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from "./helpers/local-s3.js";
import { sameBrowserOn, startNodePair, type NodePair } from "./helpers/node-pair.js";
import { rawUpload } from "./helpers/raw-upload.js";
import type { ServerProcess } from "./helpers/server-process.js";
import { PNG } from "./helpers/sample-files.js";

/**
 * Files with several nodes: two real `parlor run` processes sharing PostgreSQL, Redis and one
 * bucket on a local S3 server (s3rver), as behind a load balancer. A file stored through one
 * node is served by the other; what one node deletes is gone for both.
 */
const postgres = dialects.find((dialect) => dialect.name === "postgres");
const redisUp = await redisIsAvailable();
const PASSWORD = "correct horse battery staple";

describe.skipIf(postgres === undefined || !redisUp)("files on S3 shared by two nodes", { timeout: 60_000 }, () => {
  let s3: LocalS3;
  let database: TestDatabase;
  let pair: NodePair | undefined;
  /** Each test's objects go under a prefix of their own. */
  let prefix: string;
  let tests = 0;

  const quiet = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  beforeAll(async () => {
    // The test's own S3 client, for looking into the bucket.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
    s3 = await startLocalS3();
  });
  afterAll(async () => {
    await s3.close();
    if (quiet === undefined) delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    else process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = quiet;
  });
  beforeEach(async () => {
    database = await postgres!.create();
    prefix = `cluster-${process.pid}-${++tests}/`;
  });
  afterEach(async () => {
    await pair?.stop();
    pair = undefined;
    // A test that stopped the S3 server and failed before starting it again.
    await s3.start();
    await database.dispose();
  });

  /** Two nodes on the bucket, each object under this test's own prefix. */
  const twoNodes = async (env: Record<string, string> = {}) => {
    pair = await startNodePair({
      databaseUrl: database.url,
      env: {
        PARLOR_FILES_STORAGE: "s3",
        PARLOR_S3_BUCKET: s3.bucket,
        PARLOR_S3_ENDPOINT: s3.endpoint,
        PARLOR_S3_FORCE_PATH_STYLE: "true",
        PARLOR_S3_PREFIX: prefix,
        // The AWS SDK's default chain, as in production.
        AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        TEST_REPLY: "words:1",
        TEST_REPLY_EVERY_MS: "1",
        ...env,
      },
    });
    return pair;
  };
  const loggedIn = async (node: ServerProcess, username = "alice") => {
    const client = node.client();
    expect((await client.login(username, PASSWORD)).status).toBe(200);
    return client;
  };
  /** The keys of this test's objects in the bucket. */
  const objects = async () => {
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
    return (listed.Contents ?? []).map((object) => object.Key!);
  };
  const upload = async (client: TestClient, bytes: Buffer, name: string) => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(bytes)]), name);
    return client.post("/api/files", { form });
  };
  const readyz = async (node: ServerProcess) => {
    const response = await fetch(`${node.origin}/readyz`);
    return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, string> } };
  };

  it("an upload on A downloads on B, whole and by range; a signed URL minted on A works on B; another user gets 404 on both", async () => {
    const { a, b } = await twoNodes();
    const onA = await loggedIn(a);
    const uploaded = await upload(onA, PNG, "picture.png");
    expect(uploaded.status).toBe(201);
    expect(await objects()).toHaveLength(1);

    const onB = sameBrowserOn(onA, b);
    const whole = await onB.get(uploaded.body.url);
    expect(whole.status).toBe(200);
    expect(whole.bytes).toEqual(PNG);
    expect(whole.headers.get("content-type")).toBe("image/png");
    const range = await onB.get(uploaded.body.url, { headers: { range: "bytes=1-3" } });
    expect(range.status).toBe(206);
    expect(range.bytes.toString("latin1")).toBe("PNG");

    const signed = await onA.get(`/api/files/${uploaded.body.id}/signed-url`);
    expect(signed.status).toBe(200);
    // No cookie: the link alone, on the other node.
    const bySignedUrl = await fetch(`${b.origin}${signed.body.url}`);
    expect(bySignedUrl.status).toBe(200);
    expect(Buffer.from(await bySignedUrl.arrayBuffer())).toEqual(PNG);
    // The link is bound to its file: the same signature on another id is refused.
    const forged = signed.body.url.replace(uploaded.body.id, (await upload(onA, PNG, "other.png")).body.id);
    expect((await fetch(`${b.origin}${forged}`)).status).toBe(403);

    for (const node of [a, b]) {
      const bob = await loggedIn(node, "bob");
      expect((await bob.get(uploaded.body.url)).status).toBe(404);
      expect((await bob.get(`/api/files/${uploaded.body.id}/signed-url`)).status).toBe(404);
    }
  });

  it("deleting on B the thread a file was sent in removes it for A and from the bucket", async () => {
    const { a, b } = await twoNodes();
    const onA = await loggedIn(a);
    const uploaded = await upload(onA, PNG, "picture.png");
    expect(uploaded.status).toBe(201);
    const tab = await connectSocket(a, onA);
    const seen = new EventLog(tab);
    const sent = await request(tab, "message:send", { content: "look", fileIds: [uploaded.body.id] });
    expect(sent.ok).toBe(true);
    await seen.waitFor((e) => e.event === "thread:idle" && e.data.threadId === sent.threadId);
    expect((await onA.get(uploaded.body.url)).status).toBe(200);
    expect(await objects()).toHaveLength(1);

    expect((await sameBrowserOn(onA, b).delete(`/api/threads/${sent.threadId}`)).status).toBe(204);
    expect((await onA.get(uploaded.body.url)).status).toBe(404);
    expect(await objects()).toEqual([]);
  });

  it("uploads waiting unattached are capped over both nodes: the next one is refused on either, and nothing of it is stored", async () => {
    const { a, b } = await twoNodes({ PARLOR_FILES_MAX_UNATTACHED: "2" });
    const onA = await loggedIn(a);
    const onB = sameBrowserOn(onA, b);
    const first = await rawUpload(onA, a.origin);
    expect(first.status).toBe(201);
    expect((await rawUpload(onB, b.origin)).status).toBe(201);
    const stored = await objects();
    expect(stored).toHaveLength(2);
    for (const [client, node] of [
      [onA, a],
      [onB, b],
    ] as const) {
      const refused = await rawUpload(client, node.origin);
      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.body)).toEqual({ error: { code: "rate_limited", message: expect.stringContaining("At most 2 uploads may wait unattached") } });
    }
    expect((await objects()).sort()).toEqual(stored.sort());
    // Sending one with a message, through B, frees its place on A.
    const tab = await connectSocket(b, onB);
    const sent = await request(tab, "message:send", { content: "here", fileIds: [JSON.parse(first.body).id] });
    expect(sent.ok).toBe(true);
    expect((await rawUpload(onA, a.origin)).status).toBe(201);
  });

  it("/readyz on both nodes answers 503 naming files while the S3 server is stopped, and 200 again once it is back", async () => {
    const { a, b } = await twoNodes();
    const onA = await loggedIn(a);
    const uploaded = await upload(onA, PNG, "picture.png");
    expect(uploaded.status).toBe(201);
    for (const node of [a, b])
      expect(await readyz(node)).toEqual({ status: 200, body: { status: "ready", checks: { database: "ok", files: "ok", redis: "ok" } } });

    await s3.stop();
    for (const node of [a, b]) {
      expect(await readyz(node)).toEqual({
        status: 503,
        body: { status: "unavailable", checks: { database: "ok", files: expect.stringMatching(/^(unreachable|timeout)$/), redis: "ok" } },
      });
    }
    const onB = sameBrowserOn(onA, b);
    const download = await onB.get(uploaded.body.url);
    expect([download.status, download.body.error?.code]).toEqual([503, "unavailable"]);
    const refused = await upload(onB, PNG, "during.png");
    expect([refused.status, refused.body.error?.code]).toEqual([503, "unavailable"]);

    await s3.start();
    const backAt = Date.now();
    await eventually("both nodes to be ready again", async () => (await Promise.all([a, b].map(readyz))).every((answer) => answer.status === 200), 10_000, 100);
    console.info(`S3 outage: both nodes ready ${Date.now() - backAt} ms after the S3 server is back`);
    expect((await onB.get(uploaded.body.url)).bytes).toEqual(PNG);
    // Nothing half-written by the refused upload: only the first file, in the bucket and the list.
    expect(await objects()).toHaveLength(1);
    expect((await upload(onB, PNG, "after.png")).status).toBe(201);
  });
});
