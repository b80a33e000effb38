import { UsageError } from "./command.js";

/**
 * Prints an error for a person: usage and configuration mistakes as one `parlor: …` line
 * (exit code 2), anything else with its stack (exit code 1). Returns the exit code.
 */
export function reportUsageError(error: unknown): number {
  // Configuration mistakes are for a human: the message, not a stack. Matched by name: the
  // error class may come from another copy of parlor than the CLI's own.
  const name = error instanceof Error ? error.name : "";
  if (error instanceof UsageError || name === "ParlorConfigError" || name === "CookieRuleError") {
    process.stderr.write(`parlor: ${(error as Error).message}\n`);
    return 2;
  }
  console.error(error);
  return 1;
}
