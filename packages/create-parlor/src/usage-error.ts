/** A mistake in how create-parlor was called: one line for the user, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly code = "usage";
}
