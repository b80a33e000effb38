import { createSecretCommand } from "./commands/create-secret.js";
import { migrateCommand } from "./commands/migrate.js";
import { runCommand, UsageError } from "./commands/run.js";

const USAGE = `Usage:
  parlor run <app.ts>     serve an app (TypeScript runs without a build step)
  parlor create-secret    print a new PARLOR_AUTH_SECRET
  parlor migrate          bring the database schema up to date
`;

const commands: Record<string, (args: string[]) => Promise<void>> = {
  run: runCommand,
  "create-secret": createSecretCommand,
  migrate: migrateCommand,
};

const [name, ...args] = process.argv.slice(2);
const command = name === undefined ? undefined : commands[name];
if (command === undefined) {
  process.stderr.write(name === undefined || name === "help" || name === "--help" ? USAGE : `Unknown command "${name}"\n\n${USAGE}`);
  process.exit(name === undefined || name === "help" || name === "--help" ? 0 : 2);
}

command(args).catch((error: unknown) => {
  // Configuration mistakes and usage errors are for a human: the message, not a stack.
  const name = error instanceof Error ? error.name : "";
  if (error instanceof UsageError || name === "ParlorConfigError") {
    process.stderr.write(`parlor: ${(error as Error).message}\n`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
