import { join } from "node:path";
import type { ParlorConfig } from "../config/resolve-config.js";
import type { FileStorage } from "./file-storage.js";
import { LocalFileStorage } from "./local-file-storage.js";

/** The configured storage. S3 is loaded only when used, so local setups never load the AWS SDK. */
export async function createFileStorage(config: ParlorConfig): Promise<FileStorage> {
  if (config.files.storage === "local") return new LocalFileStorage(join(config.dataDir, "files"));
  const { S3FileStorage } = await import("./s3-file-storage.js");
  return new S3FileStorage(config.files.s3);
}
