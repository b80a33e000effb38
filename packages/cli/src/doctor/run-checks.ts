import type { Check, CheckResult, DoctorContext } from "./check.js";
import { cookiesAndProxiesCheck } from "./cookies-and-proxies.js";
import { databaseCheck } from "./database.js";
import { embedsCheck } from "./embeds.js";
import { fileStorageCheck } from "./file-storage.js";
import { publicUrlCheck } from "./public-url.js";
import { redisCheck } from "./redis.js";
import { secretCheck } from "./secret.js";

/** In the order a deployer fixes things: identity first, then what the server connects to. */
export const CHECKS: readonly Check[] = [secretCheck, publicUrlCheck, cookiesAndProxiesCheck, databaseCheck, fileStorageCheck, redisCheck, embedsCheck];

/** Runs every check, one after the other, and writes one line per result. Returns all results. */
export async function runChecks(context: DoctorContext, write: (line: string) => void): Promise<CheckResult[]> {
  const all: CheckResult[] = [];
  for (const check of CHECKS) {
    let results: CheckResult[];
    try {
      results = await check.run(context);
    } catch (error) {
      // A check that breaks is a finding too, not a reason to stop the others.
      results = [{ status: "fail", message: `could not check: ${error instanceof Error ? error.message : String(error)}` }];
    }
    for (const result of results) write(formatLine(check.name, result));
    all.push(...results);
  }
  return all;
}

export function formatLine(name: string, { status, message }: CheckResult): string {
  return `${status.padEnd(4)}  ${name.padEnd(15)}  ${message}`;
}
