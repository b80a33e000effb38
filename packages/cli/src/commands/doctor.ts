import { parseArgs } from "node:util";
import { createSecret, resolveConfig } from "parlor";
import { UsageError, type Command } from "../command.js";
import { formatLine, runChecks } from "../doctor/run-checks.js";
import { checkAppFile, loadApp } from "../load-app.js";
import { withUsageHelp } from "../parse-options.js";

/**
 * `parlor doctor <app.ts>`: checks the configuration `parlor run` would start with and prints
 * what to change. Exit code 1 when a check fails (see src/doctor/, one check per file).
 */
export const doctorCommand: Command = {
  name: "doctor",
  summary: "check a deployment's configuration and say what to fix",
  help: `Usage: parlor doctor <app.ts>

Checks the configuration that \`parlor run <app.ts>\` would start with, from the same
environment (run it where the app runs, with its variables), and prints one line per check:
ok, warn (works, but look at it) or fail (fix it before deploying), with what to change.

  secret           PARLOR_AUTH_SECRET set and strong (required in production)
  public URL       PARLOR_PUBLIC_URL set and https in production
  cookie, proxies  the session cookie is Secure; PARLOR_TRUSTED_PROXIES fits the app
  database         PostgreSQL accepts a connection, or the SQLite file can be written
  file storage     the local files folder is writable, or the S3 bucket answers
  redis            Redis answers, when PARLOR_REDIS_URL is set
  embeds           the origins of sites embedding the chat are https

Nothing is written: no database file, folder or development secret is created.
Exit code 0 when nothing fails, 1 when a check fails, 2 for a usage or configuration error.

Options:
  -h, --help    this help
`,
  async run(args) {
    const { positionals } = withUsageHelp("doctor", () => parseArgs({ args, allowPositionals: true, strict: true }));
    if (positionals.length > 1) throw new UsageError(`parlor doctor takes one app file, not ${positionals.length} (see parlor doctor --help)`);
    const app = await loadApp(checkAppFile(positionals[0], "doctor"));
    const env = process.env;
    // The secret is checked on its own (doctor/secret.ts); a stand-in lets the rest resolve.
    const config = resolveConfig({
      appName: app.name,
      options: app.server,
      env: { ...env, PARLOR_AUTH_SECRET: createSecret(), PARLOR_AUTH_SECRET_PREVIOUS: undefined },
      auth: app.auth,
      embeds: app.embeds,
    });
    const results = await runChecks({ env, app, config }, (line) => process.stdout.write(line + "\n"));
    const failures = results.filter((result) => result.status === "fail").length;
    const warnings = results.filter((result) => result.status === "warn").length;
    const summary = failures + warnings === 0 ? "no problems found" : `${plural(failures, "failure")}, ${plural(warnings, "warning")}`;
    process.stdout.write(`\n${formatLine("doctor", { status: failures > 0 ? "fail" : warnings > 0 ? "warn" : "ok", message: summary })}\n`);
    if (failures > 0) process.exitCode = 1;
  },
};

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}
