/** One `parlor` subcommand: what `parlor help` lists, what `parlor <name> --help` prints, what it does. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The whole help text of `parlor <name> --help`, ending with a newline. */
  help: string;
  run(args: string[]): Promise<void>;
}

/** A mistake in how the command was called: one line for the user, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly code = "usage";
}
