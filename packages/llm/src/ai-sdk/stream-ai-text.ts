import type { TextStreamPart, ToolSet } from "ai";
import type { JsonValue } from "parlor";
import { stoppedBy } from "../aborted.js";
import type { LlmChat, LlmReply, LlmResult } from "../chat-surface.js";
import { toolOutputText } from "../tool-output.js";

export interface StreamAITextOptions {
  /** The reply to stream into; default a new `chat.reply()`. */
  reply?: LlmReply;
}

/** What `streamText()` returns, as far as this helper reads it. */
export interface AITextStream<TOOLS extends ToolSet = ToolSet> {
  fullStream: AsyncIterable<TextStreamPart<TOOLS>>;
}

/**
 * Streams a Vercel AI SDK `streamText()` result into a Parlor reply: the text into the reply,
 * each tool call as a step (`chat.step`, type `tool`) from the call to its result or error.
 * The AI SDK runs the tools and the rounds itself (`stopWhen`); pass `abortSignal:
 * chat.signal` to `streamText` so the user's stop aborts the provider request — the reply then
 * ends with what was written. A stream error is thrown once the open steps are closed.
 */
export async function streamAIText<TOOLS extends ToolSet>(chat: LlmChat, result: AITextStream<TOOLS>, options: StreamAITextOptions = {}): Promise<LlmResult> {
  const reply = options.reply ?? chat.reply();
  const steps = new OpenSteps(chat);
  let text = "";
  let stopped = false;
  try {
    for await (const part of result.fullStream) {
      switch (part.type) {
        case "text-delta":
          text += part.text;
          await reply.stream(part.text);
          break;
        case "tool-call":
          // The model's arguments, parsed from JSON by the SDK.
          steps.open(part.toolCallId, part.toolName, part.input as JsonValue);
          break;
        case "tool-result":
          // A tool that yields preliminary results ends with a final one.
          if (part.preliminary !== true) steps.close(part.toolCallId, { output: part.output });
          break;
        case "tool-error":
          steps.close(part.toolCallId, { error: part.error });
          break;
        case "tool-output-denied":
          steps.close(part.toolCallId, { error: new Error("the tool call was denied") });
          break;
        case "abort":
          stopped = true;
          break;
        case "error":
          throw part.error;
      }
    }
  } catch (error) {
    await steps.closeAll(error);
    if (!stoppedBy(chat.signal, error)) throw error;
    stopped = true;
  }
  await steps.closeAll(new Error(stopped ? "stopped" : "the model's answer ended before the tool's result"));
  await reply.end();
  return { text, stopped: stopped || chat.signal.aborted };
}

/** Tool calls shown as steps that stay open until their result (or error) arrives. */
class OpenSteps {
  private readonly steps = new Map<string, { settle: (outcome: { output: unknown } | { error: unknown }) => void; done: Promise<unknown> }>();

  constructor(private readonly chat: LlmChat) {}

  open(id: string, name: string, input: JsonValue): void {
    let settle!: (outcome: { output: unknown } | { error: unknown }) => void;
    const outcome = new Promise<{ output: unknown } | { error: unknown }>((resolve) => (settle = resolve));
    const done = this.chat
      .step({ name, type: "tool", input }, async () => {
        const result = await outcome;
        if ("error" in result) throw result.error;
        return toolOutputText(result.output);
      })
      // The step records the error; the model has seen it too. Nothing else to report here.
      .catch(() => undefined);
    this.steps.set(id, { settle, done });
  }

  close(id: string, outcome: { output: unknown } | { error: unknown }): void {
    this.steps.get(id)?.settle(outcome);
  }

  /** Ends the steps still open with `error`, and waits until every step is stored. */
  async closeAll(error: unknown): Promise<void> {
    for (const step of this.steps.values()) step.settle({ error });
    await Promise.all([...this.steps.values()].map((step) => step.done));
  }
}
