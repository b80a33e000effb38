import { DeleteObjectCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Readable } from "node:stream";
import type { ByteRange, FileStorage } from "./file-storage.js";

const KEY = /^[a-f0-9]{32,64}$/;

/** Bytes per multipart part: S3's minimum, so an upload buffers as little as possible. */
const PART_SIZE = 5 * 1024 * 1024;
/** Parts sent at once. Memory per upload stays near (PARTS_IN_FLIGHT + 1) × PART_SIZE, whatever the file size. */
const PARTS_IN_FLIGHT = 2;

/** Where {@link S3FileStorage} keeps files: the `files.s3` server options, plus optional credentials. */
export interface S3FileStorageOptions {
  bucket: string;
  region: string;
  /** For S3-compatible services (MinIO, R2, …); AWS itself when absent. */
  endpoint?: string | undefined;
  /** Path-style URLs (`endpoint/bucket/key`), needed by most S3-compatible services. */
  forcePathStyle: boolean;
  /** Prepended to every key, e.g. `parlor/`. */
  prefix: string;
  /**
   * Explicit credentials. When absent (the server never sets them), the AWS SDK's default
   * chain applies: `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, shared config files, roles, …
   */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
}

/**
 * Files in an S3 bucket (or an S3-compatible service), under `${prefix}${key}`. Uploads are
 * streamed as multipart uploads, so memory does not grow with file size.
 *
 * If the body fails part-way (a size limit, a client that disconnects), the multipart upload
 * is aborted and no object is created. Should the abort request itself fail, the parts stay
 * invisible but billed: give the bucket an `AbortIncompleteMultipartUpload` lifecycle rule.
 *
 * @example
 * ```ts
 * const storage = new S3FileStorage({ bucket: "uploads", region: "eu-west-1", forcePathStyle: false, prefix: "parlor/" });
 * await storage.put(key, body, "image/png");
 * ```
 */
export class S3FileStorage implements FileStorage {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(options: S3FileStorageOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix;
    this.client = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    });
  }

  /**
   * Asks for an object that is never written: "no such key" proves the bucket exists and the
   * credentials are accepted. Not HeadBucket, which needs `s3:ListBucket`; and not HeadObject,
   * whose bodiless 404 says the same for a missing bucket as for a missing key. Without
   * `s3:ListBucket`, S3 answers a missing key with 403 AccessDenied: also accepted, as the
   * bucket and the credentials were (a wrong key or secret gets its own code).
   */
  async check(): Promise<void> {
    try {
      const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}parlor-readiness-probe` }));
      // Someone stored an object under that name: reachable all the same.
      (Body as Readable | undefined)?.destroy();
    } catch (error) {
      const name = (error as { name?: unknown }).name;
      if (name === "NoSuchKey" || name === "AccessDenied") return;
      throw error;
    }
  }

  async put(key: string, body: AsyncIterable<Uint8Array>, contentType: string): Promise<{ size: number }> {
    const objectKey = this.objectKey(key);
    let size = 0;
    // Kept so the caller gets the body's own error (e.g. ParlorError payload_too_large), not
    // whatever the upload reports after it.
    let bodyFailure: { error: unknown } | undefined;
    const source = Readable.from(
      (async function* count() {
        try {
          for await (const chunk of body) {
            size += chunk.byteLength;
            yield chunk;
          }
        } catch (error) {
          bodyFailure = { error };
          throw error;
        }
      })(),
    );
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: objectKey, Body: source, ContentType: contentType },
      partSize: PART_SIZE,
      queueSize: PARTS_IN_FLIGHT,
      // On any failure, Upload sends AbortMultipartUpload before done() rejects.
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      // A part that failed to upload leaves the body unread: release it (and what feeds it).
      source.destroy();
      if (bodyFailure) throw bodyFailure.error;
      throw error;
    }
    return { size };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    // Awaiting the response surfaces a missing object (NoSuchKey) here, before any header is sent.
    const { Body, ContentRange } = await this.client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
      }),
    );
    if (!(Body instanceof Readable)) throw new Error("S3 returned no readable body");
    if (range && !isRequestedRange(ContentRange, range)) {
      // Some S3-compatible servers ignore or mangle a Range (s3rver answers `bytes=0-0` with
      // the whole object). Failing beats sending other bytes under a 206.
      Body.destroy();
      throw new Error(`S3 returned another range than asked for (${ContentRange ?? "none"})`);
    }
    return Body;
  }

  async delete(key: string): Promise<void> {
    // S3 answers 204 for a missing key too.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  private objectKey(key: string): string {
    // Keys are ours; the check matches LocalFileStorage so both accept the same keys.
    if (!KEY.test(key)) throw new Error("invalid storage key");
    return `${this.prefix}${key}`;
  }
}

/**
 * Whether `Content-Range` answers `range`: the same bytes, or (when the range runs past the
 * object) its start to the object's last byte, as reading a file would give.
 */
function isRequestedRange(contentRange: string | undefined, range: ByteRange): boolean {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange ?? "");
  if (!match) return false;
  const [start, end, size] = match.slice(1).map(Number) as [number, number, number];
  return start === range.start && (end === range.end || (end < range.end && end === size - 1));
}
