import { parseArgs } from "node:util";
import { isTemplateName, TEMPLATE_NAMES, type TemplateName } from "./templates.js";
import { UsageError } from "./usage-error.js";

export interface Options {
  /** The folder to create the project in; asked for when missing (or `my-parlor-app` with --yes). */
  folder: string | undefined;
  template: TemplateName | undefined;
  /** A folder of tarballs from `npm run pack` to install Parlor from, instead of the registry. */
  tarballs: string | undefined;
  /** No questions: defaults for what the flags leave out. */
  yes: boolean;
  help: boolean;
  version: boolean;
}

/** Reads `create-parlor [folder] [--template <name>] [--tarballs <folder>] [--yes]`; a mistake is one `UsageError` line. */
export function parseOptions(args: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        template: { type: "string", short: "t" },
        tarballs: { type: "string" },
        yes: { type: "boolean", short: "y" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0]!.replace(/\. To specify a positional argument.*$/, "") : String(error);
    throw new UsageError(`${message} (see create-parlor --help)`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError(`one folder, please, not ${positionals.length}: ${positionals.join(" ")}`);
  if (values.template !== undefined && !isTemplateName(values.template)) {
    throw new UsageError(`unknown template "${values.template}": choose ${TEMPLATE_NAMES}`);
  }
  return {
    folder: positionals[0],
    template: values.template,
    tarballs: values.tarballs,
    yes: values.yes === true,
    help: values.help === true,
    version: values.version === true,
  };
}
