/** A tool's result as the text a model reads back and the step shows as its output. */
export function toolOutputText(value: unknown): string {
  if (typeof value === "string") return value;
  // JSON.stringify gives undefined for undefined, functions and symbols: the model reads "".
  return JSON.stringify(value) ?? "";
}

/** An error a tool threw, as the text the model reads instead of a result. */
export function toolErrorText(error: unknown): string {
  return `Error: ${error instanceof Error ? error.message : String(error)}`;
}
