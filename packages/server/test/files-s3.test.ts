import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from "./helpers/local-s3.js";
import { startTestServer, type TestServer } from "@parlor/test-support";
import { PNG } from "./helpers/sample-files.js";

/** The same upload and download path as files.test.ts, with the bytes in S3 (s3rver). */
describe("files on S3-compatible storage", () => {
  let s3: LocalS3;
  let t: TestServer;
  const saved = { ...process.env };

  beforeAll(async () => {
    s3 = await startLocalS3();
    // The server takes credentials from the AWS SDK's default chain, as in production.
    process.env.AWS_ACCESS_KEY_ID = LOCAL_S3_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = LOCAL_S3_CREDENTIALS.secretAccessKey;
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  });
  afterAll(async () => {
    process.env = saved;
    await s3.close();
  });

  const start = (maxUploadBytes = 20 * 1024 * 1024) =>
    startTestServer({
      env: {
        PARLOR_FILES_STORAGE: "s3",
        PARLOR_S3_BUCKET: s3.bucket,
        PARLOR_S3_ENDPOINT: s3.endpoint,
        PARLOR_S3_FORCE_PATH_STYLE: "true",
        PARLOR_S3_PREFIX: "uploads/",
        PARLOR_FILES_MAX_BYTES: String(maxUploadBytes),
      },
    });
  const objects = async () => ((await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }))).Contents ?? []).map((object) => object.Key);
  const form = (bytes: Buffer, name: string) => {
    const data = new FormData();
    data.append("file", new Blob([new Uint8Array(bytes)]), name);
    return data;
  };

  it("round-trips an upload through the bucket, with ranges", async () => {
    t = await start();
    const alice = t.client();
    await alice.login("alice");
    const before = await objects();
    const uploaded = await alice.post("/api/files", { form: form(PNG, "s3.png") });
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.mime).toBe("image/png");
    const stored = (await objects()).filter((key) => !before.includes(key));
    expect(stored).toEqual([expect.stringMatching(/^uploads\/[a-f0-9]{32}$/)]);

    const full = await alice.get(uploaded.body.url);
    expect(full.status).toBe(200);
    expect(full.bytes).toEqual(PNG);
    const range = await alice.get(uploaded.body.url, { headers: { range: "bytes=1-3" } });
    expect(range.status).toBe(206);
    expect(range.bytes.toString("latin1")).toBe("PNG");
  });

  it("leaves nothing in the bucket when an upload is too large", async () => {
    t = await start(64 * 1024);
    const alice = t.client();
    await alice.login("alice");
    const before = await objects();
    const response = await alice.post("/api/files", { form: form(Buffer.alloc(200 * 1024, 1), "big.bin") });
    expect(response.status).toBe(413);
    expect(await objects()).toEqual(before);
    expect(await t.server.db.selectFrom("files").selectAll().execute()).toEqual([]);
  });
});
