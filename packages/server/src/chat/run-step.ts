import { z } from "zod";
import type { Step, StepOptions } from "../app/define-app.js";
import { isStorableText, storableTextMessage } from "../http/input-schemas.js";
import type { LiveReply } from "./live-reply.js";
import { stepScope } from "./step-context.js";

const optionsSchema = z
  .object({
    name: z.string().trim().min(1).max(100).refine(isStorableText, storableTextMessage),
    type: z.enum(["tool", "retrieval", "llm", "reasoning", "run"]).default("tool"),
    input: z.unknown().optional(),
  })
  .strict();

/**
 * `chat.step`: runs `callback` as a step of `reply` (a child of `parentId`), in its own
 * `stepScope` so steps it starts nest under it. The step ends `complete` with what it streamed
 * or the string it returned, or `error` when it throws (the error goes on to the app).
 */
export async function runStep<T>(reply: LiveReply, parentId: string | null, options: StepOptions, callback: (step: Step) => Promise<T> | T): Promise<T> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(`chat.step: ${issue?.path.join(".") || "options"}: ${issue?.message ?? "invalid"}`);
  }
  if (typeof callback !== "function") throw new TypeError("chat.step: the second argument must be a function");
  const { name, type, input } = parsed.data;
  const text = input === undefined ? "" : typeof input === "string" ? input : JSON.stringify(input);
  if (!isStorableText(text)) throw new TypeError(`chat.step: input: ${storableTextMessage}`);
  const { id, stored } = reply.steps.start({ name, type, input: text, parentId });
  const step: Step = {
    id,
    stream: async (chunk: string) => {
      if (typeof chunk !== "string") throw new TypeError("step.stream() takes a string");
      reply.steps.stream(id, chunk);
    },
  };
  let result: T;
  try {
    result = await stepScope.run({ reply, stepId: id }, () => callback(step));
  } catch (error) {
    await reply.steps.end(id, "error").catch(() => undefined);
    throw error;
  }
  await stored;
  await reply.steps.end(id, "complete", typeof result === "string" ? result : undefined);
  return result;
}
