import { parseArgs } from "node:util";
import { UsageError, type Command } from "../command.js";
import { checkAppFile, loadApp } from "../load-app.js";
import { withUsageHelp } from "../parse-options.js";
import { serveApp } from "../serve-app.js";
import { watchApp } from "../watch/watch-app.js";

/**
 * `parlor run <app.ts>`: loads a TypeScript (or JavaScript) app file without a build step,
 * through tsx, and serves it until SIGINT/SIGTERM. `--watch` restarts it on every change.
 */
export const runCommand: Command = {
  name: "run",
  summary: "serve an app (TypeScript runs without a build step)",
  help: `Usage: parlor run [--watch] <app.ts>

Serves the app that <app.ts> exports (\`export default defineApp({...})\`), with the web UI,
on PORT (default 8000). Settings come from PARLOR_* environment variables; see the
configuration reference in the docs.

Options:
  -w, --watch   restart the app when a file it imports changes; sessions and open tabs
                survive (tabs reconnect by themselves), and type errors are printed after
                each restart (tsx runs TypeScript without checking it)
  -h, --help    this help

Logs are coloured lines in a terminal and JSON lines otherwise (PARLOR_LOG_FORMAT=json|pretty).
`,
  async run(args) {
    const { values, positionals } = withUsageHelp("run", () =>
      parseArgs({ args, options: { watch: { type: "boolean", short: "w" } }, allowPositionals: true, strict: true }),
    );
    if (positionals.length > 1) throw new UsageError(`parlor run takes one app file, not ${positionals.length} (see parlor run --help)`);
    const file = checkAppFile(positionals[0], "run");
    if (values.watch) return watchApp(file);
    await serveApp(await loadApp(file));
  },
};
