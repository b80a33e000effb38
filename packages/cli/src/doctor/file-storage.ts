import { join } from "node:path";
import { createFileStorage } from "parlor";
import { fail, ok, type Check } from "./check.js";
import { cannotWrite } from "./writable-folder.js";

/**
 * Uploaded files can be stored: the local folder (`<data dir>/files`) is writable, or the S3
 * bucket answers (the same probe as `/readyz`; it writes nothing).
 */
export const fileStorageCheck: Check = {
  name: "file storage",
  async run({ config }) {
    if (config.files.storage === "local") {
      const folder = join(config.dataDir, "files");
      const problem = await cannotWrite(folder);
      return [
        problem === null ? ok(`local folder ${folder} is writable`) : fail(`local folder ${folder}: ${problem}; set PARLOR_DATA_DIR to a writable folder`),
      ];
    }
    const where = `S3 bucket ${config.files.s3.bucket}${config.files.s3.endpoint ? ` at ${config.files.s3.endpoint}` : ""} (PARLOR_S3_BUCKET)`;
    try {
      const storage = await createFileStorage(config);
      await storage.check?.();
      return [ok(`${where} answers`)];
    } catch (error) {
      return [fail(`${where}: ${(error as Error).message}; check PARLOR_S3_* and the AWS credentials`)];
    }
  },
};
