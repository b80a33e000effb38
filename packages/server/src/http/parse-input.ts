import type { z } from "zod";
import { ParlorError } from "../errors.js";

/**
 * Narrows untrusted input (a body, params, a socket payload) with a schema, or throws a
 * 400 `invalid_request` naming the first bad field. Nothing past this point sees `unknown`.
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  throw new ParlorError("invalid_request", `${where}${issue?.message ?? "invalid input"}`);
}
