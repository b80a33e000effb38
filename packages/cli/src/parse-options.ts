import { UsageError } from "./command.js";

/**
 * Runs `node:util`'s `parseArgs` (strict) for `parlor <command>`, with its errors turned into
 * one line that says where the help is (`parlor run --help`) instead of a Node error code
 * and a stack.
 */
export function withUsageHelp<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0]!.replace(/\. To specify a positional argument.*$/, "") : String(error);
    throw new UsageError(`${message} (see parlor ${command} --help)`);
  }
}
