import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { LocalFileStorage } from "../src/files/local-file-storage.js";
import { describeStorageContract } from "./helpers/storage-contract.js";

describeStorageContract("LocalFileStorage", async () => {
  const root = await mkdtemp(join(tmpdir(), "parlor-files-"));
  return {
    storage: new LocalFileStorage(root),
    // Every file under the root, so a leftover tmp/*.part shows up.
    async contents() {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      return entries
        .filter((entry) => entry.isFile())
        .map((entry) => relative(root, join(entry.parentPath, entry.name)))
        .sort();
    },
    dispose: () => rm(root, { recursive: true, force: true }),
  };
});
