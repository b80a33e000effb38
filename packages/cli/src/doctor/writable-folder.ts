import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Whether the server could create and write `path` (a file or folder) at start: it exists and
 * is writable, or its nearest existing parent folder is. Reads only; creates nothing. Returns
 * the problem, or `null`.
 */
export async function cannotWrite(path: string): Promise<string | null> {
  for (let current = path; ; current = dirname(current)) {
    const exists = await stat(current).then(
      () => true,
      () => false,
    );
    // Root can write anywhere; a file in the way stops everyone.
    if (exists) {
      if (current !== path && !(await stat(current)).isDirectory()) return `${current} is not a folder`;
      try {
        await access(current, constants.W_OK);
        return null;
      } catch {
        return `${current} is not writable by this user`;
      }
    }
    if (dirname(current) === current) return `nothing of ${path} exists`;
  }
}
