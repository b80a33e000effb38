/** A tool's result as the text a model reads back and the step shows as its output. */
export function toolOutputText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  return JSON.stringify(value) ?? String(value);
}

/** An error a tool threw, as the text the model reads instead of a result. */
export function toolErrorText(error: unknown): string {
  return `Error: ${error instanceof Error ? error.message : String(error)}`;
}
