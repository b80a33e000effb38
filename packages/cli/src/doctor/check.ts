import type { ParlorApp, ParlorConfig } from "parlor";

/** What a check found: `ok`, `warn` (works, but look at it) or `fail` (fix it before deploying). */
export interface CheckResult {
  status: "ok" | "warn" | "fail";
  /** One line: what was checked, and for warn and fail, what to change. */
  message: string;
}

/** What every check reads: the same configuration `parlor run` would start with. */
export interface DoctorContext {
  env: Record<string, string | undefined>;
  app: ParlorApp;
  /**
   * Resolved with a stand-in secret, so that a missing or weak one (secret.ts reports it) does
   * not hide the other problems, and no development secret is written.
   */
  config: ParlorConfig;
}

/** One check of `parlor doctor`: a name for its line, and the check (one or more results). */
export interface Check {
  name: string;
  run(context: DoctorContext): Promise<CheckResult[]> | CheckResult[];
}

export const ok = (message: string): CheckResult => ({ status: "ok", message });
export const warn = (message: string): CheckResult => ({ status: "warn", message });
export const fail = (message: string): CheckResult => ({ status: "fail", message });
