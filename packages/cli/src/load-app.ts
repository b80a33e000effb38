import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isParlorApp, type ParlorApp } from "parlor";
import { tsImport } from "tsx/esm/api";
import { UsageError } from "./command.js";

/** Refuses an app file that is not there, before anything else starts (exit 2). */
export function checkAppFile(file: string | undefined, command: string): string {
  if (!file) throw new UsageError(`parlor ${command} needs an app file: parlor ${command} app.ts`);
  if (!existsSync(file)) throw new UsageError(`${file}: no such file (run it from the folder of your app, or give its path)`);
  return file;
}

/**
 * Loads a TypeScript (or JavaScript) app file without a build step. Through tsx's
 * `tsImport` by default; under `tsx watch` (see watch/serve-watched.ts) tsx's loader is
 * already there, and a plain import lets tsx see which files the app uses.
 */
export async function loadApp(file: string, { plainImport = false } = {}): Promise<ParlorApp> {
  const url = pathToFileURL(resolve(file)).href;
  const module = (plainImport ? await import(url) : await tsImport(url, import.meta.url)) as { default?: unknown };
  if (!isParlorApp(module.default)) throw new UsageError(`${file} must \`export default defineApp({...})\``);
  return module.default;
}
