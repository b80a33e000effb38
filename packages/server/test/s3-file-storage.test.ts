import { HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ParlorError } from "../src/errors.js";
import { S3FileStorage } from "../src/files/s3-file-storage.js";
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from "./helpers/local-s3.js";
import { describeStorageContract, MiB, newKey, pattern, patternBody, readAll } from "./helpers/storage-contract.js";

/** Every object key in the bucket, whatever its prefix. */
async function objectKeys(client: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const object of page.Contents ?? []) keys.push(object.Key ?? "");
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

async function pendingUploads(client: S3Client, bucket: string): Promise<string[]> {
  const { Uploads = [] } = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return Uploads.map((upload) => `${upload.Key} ${upload.UploadId}`).sort();
}

function storageFor(s3: LocalS3, prefix: string) {
  return new S3FileStorage({
    bucket: s3.bucket,
    region: "us-east-1",
    endpoint: s3.endpoint,
    forcePathStyle: true,
    prefix,
    credentials: LOCAL_S3_CREDENTIALS,
  });
}

describeStorageContract("S3FileStorage", async () => {
  const s3 = await startLocalS3();
  return {
    storage: storageFor(s3, "contract/"),
    async contents() {
      const objects = await objectKeys(s3.client, s3.bucket);
      const uploads = (await pendingUploads(s3.client, s3.bucket)).map((upload) => `pending upload: ${upload}`);
      return [...objects, ...uploads];
    },
    dispose: () => s3.close(),
  };
});

describe("S3FileStorage", () => {
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startLocalS3();
  });
  afterAll(async () => {
    await s3?.close();
  });

  it("stores objects under the prefix, and a storage with another prefix does not see them", async () => {
    const key = newKey();
    await storageFor(s3, "parlor/files/").put(key, patternBody(100), "application/octet-stream");
    expect(await objectKeys(s3.client, s3.bucket)).toContain(`parlor/files/${key}`);
    expect(await objectKeys(s3.client, s3.bucket)).not.toContain(key);
    await expect(storageFor(s3, "other/").get(key)).rejects.toThrow();
    expect((await readAll(await storageFor(s3, "parlor/files/").get(key))).length).toBe(100);
    await storageFor(s3, "parlor/files/").delete(key);
    expect(await objectKeys(s3.client, s3.bucket)).not.toContain(`parlor/files/${key}`);
  });

  it("check() (for /readyz) passes against a reachable bucket without writing, and fails on a missing bucket or a dead endpoint", async () => {
    const before = await objectKeys(s3.client, s3.bucket);
    await expect(storageFor(s3, "parlor/").check()).resolves.toBeUndefined();
    expect(await objectKeys(s3.client, s3.bucket)).toEqual(before);
    const options = { region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, prefix: "", credentials: LOCAL_S3_CREDENTIALS };
    await expect(new S3FileStorage({ ...options, bucket: "no-such-bucket" }).check()).rejects.toThrow();
    await expect(new S3FileStorage({ ...options, bucket: s3.bucket, endpoint: "http://127.0.0.1:9" }).check()).rejects.toThrow();
  });

  it("stores the content type with the object", async () => {
    const key = newKey();
    await storageFor(s3, "").put(key, patternBody(10), "image/png");
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
    expect(head.ContentType).toBe("image/png");
  });

  it("never returns other bytes than the range asked for", async () => {
    const storage = storageFor(s3, "");
    const key = newKey();
    await storage.put(key, patternBody(100), "application/octet-stream");
    // s3rver treats `bytes=0-0` as `bytes=0-` and sends everything; real S3 sends one byte.
    const outcome = await storage.get(key, { start: 0, end: 0 }).then(readAll, (error: unknown) => error);
    if (Buffer.isBuffer(outcome)) expect(outcome.equals(pattern(0, 1))).toBe(true);
    else expect(String(outcome)).toMatch(/another range than asked for/);
  });

  it("aborts the multipart upload when the body throws after 6 MiB: no object, no pending upload", async () => {
    const storage = storageFor(s3, "abort/");
    const key = newKey();
    const error = new ParlorError("payload_too_large", "File is too large");
    const { created, aborted } = s3.multipart;
    await expect(storage.put(key, patternBody(12 * MiB, { after: 6 * MiB, error }), "image/png")).rejects.toBe(error);
    // The multipart path was taken (part 1 was sent), then aborted.
    expect(s3.multipart.created).toBe(created + 1);
    expect(s3.multipart.aborted).toBe(aborted + 1);
    expect(await pendingUploads(s3.client, s3.bucket)).toEqual([]);
    expect(await objectKeys(s3.client, s3.bucket)).not.toContain(`abort/${key}`);
  });

  it("leaves the error of a failed upload request as the SDK reports it", async () => {
    const storage = new S3FileStorage({
      bucket: "no-such-bucket",
      region: "us-east-1",
      endpoint: s3.endpoint,
      forcePathStyle: true,
      prefix: "",
      credentials: LOCAL_S3_CREDENTIALS,
    });
    await expect(storage.put(newKey(), patternBody(10), "text/plain")).rejects.toMatchObject({ name: "NoSuchBucket" });
  });
});
