import { createRequire } from "node:module";
import type { Command } from "./command.js";
import { createSecretCommand } from "./commands/create-secret.js";
import { doctorCommand } from "./commands/doctor.js";
import { migrateCommand } from "./commands/migrate.js";
import { runCommand } from "./commands/run.js";
import { reportUsageError } from "./report-error.js";

const commands: readonly Command[] = [runCommand, doctorCommand, createSecretCommand, migrateCommand];
const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

const usage = `Usage: parlor <command> [options]

Commands:
${commands.map((command) => `  ${command.name.padEnd(15)} ${command.summary}`).join("\n")}
  help <command>  the help of one command (also: parlor <command> --help)

Options:
  -h, --help      this help
  -v, --version   the version of @parlor/cli
`;

const [name, ...args] = process.argv.slice(2);
const find = (commandName: string | undefined) => commands.find((command) => command.name === commandName);

if (name === undefined || name === "--help" || name === "-h") {
  process.stdout.write(usage);
} else if (name === "--version" || name === "-v") {
  process.stdout.write(`${version}\n`);
} else if (name === "help") {
  const command = find(args[0]);
  if (args[0] === undefined) process.stdout.write(usage);
  else if (command) process.stdout.write(command.help);
  else fail(`unknown command "${args[0]}"`);
} else {
  const command = find(name);
  if (command === undefined) fail(`unknown command "${name}"`);
  else if (args.includes("--help") || args.includes("-h")) process.stdout.write(command.help);
  else command.run(args).catch((error: unknown) => process.exit(reportUsageError(error)));
}

function fail(message: string): void {
  process.stderr.write(`parlor: ${message}\n\n${usage}`);
  process.exitCode = 2;
}
