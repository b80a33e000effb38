import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { TemplateName } from "./templates.js";
import { UsageError } from "./usage-error.js";

const TEMPLATES_DIR = fileURLToPath(new URL("../templates/", import.meta.url));

export interface ProjectSpec {
  /** The folder to write; it must not exist or be empty. */
  target: string;
  template: TemplateName;
  /** The project's package name. */
  name: string;
  /** The range the project's Parlor dependencies get, e.g. `^0.1.0`. */
  parlorVersion: string;
}

/**
 * Writes a new project: the files every template shares (`templates/shared/`), then the
 * template's own, with `{{name}}` and `{{parlorVersion}}` filled in. Returns the files written,
 * relative to the target. Refuses a target that has anything in it, before writing anything.
 */
export function createProject({ target, template, name, parlorVersion }: ProjectSpec): string[] {
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new UsageError(`${target} is a file: choose a new folder`);
    if (readdirSync(target).length > 0) throw new UsageError(`${target} is not empty: choose a new folder, or empty this one`);
  }
  mkdirSync(target, { recursive: true });
  cpSync(join(TEMPLATES_DIR, "shared"), target, { recursive: true });
  cpSync(join(TEMPLATES_DIR, template), target, { recursive: true });
  // npm never packs a file named .gitignore, so the templates hold it as _gitignore.
  renameSync(join(target, "_gitignore"), join(target, ".gitignore"));

  const written = listFiles(target);
  for (const file of written) {
    const text = readFileSync(file, "utf8");
    const filled = text.replaceAll("{{name}}", name).replaceAll("{{parlorVersion}}", parlorVersion);
    if (filled !== text) writeFileSync(file, filled);
  }
  return written.map((file) => relative(target, file)).sort();
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
