import pretty from "pino-pretty";
import type { LogStream } from "parlor";

/**
 * Where the server's logs go: one JSON line per entry (for log collectors) unless standard
 * output is a terminal, where a person reads them: then `pino-pretty`'s coloured lines.
 * `PARLOR_LOG_FORMAT=json` or `pretty` decides instead.
 */
export function terminalLogs(env: NodeJS.ProcessEnv = process.env): LogStream | undefined {
  const format = env.PARLOR_LOG_FORMAT ?? (process.stdout.isTTY ? "pretty" : "json");
  if (format === "json") return undefined;
  return pretty({ colorize: process.stdout.isTTY === true, translateTime: "HH:MM:ss", ignore: "pid,hostname", singleLine: true });
}
