import { parseArgs } from "node:util";
import { createSecret } from "parlor";
import type { Command } from "../command.js";
import { withUsageHelp } from "../parse-options.js";

/** `parlor create-secret`: prints a new PARLOR_AUTH_SECRET (32 random bytes, base64url). */
export const createSecretCommand: Command = {
  name: "create-secret",
  summary: "print a new PARLOR_AUTH_SECRET",
  help: `Usage: parlor create-secret

Prints a new secret for PARLOR_AUTH_SECRET: 32 random bytes, base64url. Every node of a
deployment needs the same one; rotating it logs everybody out unless the old one is kept in
PARLOR_AUTH_SECRET_PREVIOUS for a while.
`,
  async run(args) {
    withUsageHelp("create-secret", () => parseArgs({ args, strict: true }));
    process.stdout.write(createSecret() + "\n");
  },
};
