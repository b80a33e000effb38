import { basename, resolve } from "node:path";

/**
 * The package name of a new project, from its folder's name: what npm accepts (lower case,
 * letters, digits and `-._~`, not starting with `.` or `_`, at most 214 characters).
 */
export function projectName(folder: string): string {
  const name = basename(resolve(folder))
    .toLowerCase()
    .replace(/[^a-z0-9-._~]+/g, "-")
    .replace(/^[._-]+/, "")
    .slice(0, 214);
  return name || "parlor-app";
}
