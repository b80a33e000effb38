import { join } from "node:path";
import type { ParlorConfig } from "../config/resolve-config.js";
import { importOptional } from "../config/optional-dependency.js";
import type { FileStorage } from "./file-storage.js";
import { LocalFileStorage } from "./local-file-storage.js";

/**
 * The configured storage. S3 is loaded only when used: the AWS SDK is an optional peer
 * dependency of `parlor`, so local setups neither install nor load it. Without it, S3 fails
 * start-up with a `ParlorConfigError` that says what to install.
 */
export async function createFileStorage(config: ParlorConfig): Promise<FileStorage> {
  if (config.files.storage === "local") return new LocalFileStorage(join(config.dataDir, "files"));
  const { S3FileStorage } = await importOptional(() => import("./s3-file-storage.js"), {
    feature: "S3 file storage (PARLOR_FILES_STORAGE=s3)",
    packages: ["@aws-sdk/client-s3", "@aws-sdk/lib-storage"],
  });
  // resolveConfig refuses s3 storage without a bucket: checked once, there.
  return new S3FileStorage({ ...config.files.s3, bucket: config.files.s3.bucket! });
}
