import type OpenAI from "openai";
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions";
import type { JsonValue } from "parlor";
import { stoppedBy } from "../aborted.js";
import type { LlmChat, LlmReply, LlmResult } from "../chat-surface.js";
import { toolErrorText, toolOutputText } from "../tool-output.js";
import type { OpenAITools } from "./openai-tool.js";

export interface StreamOpenAIChatOptions {
  /** An `openai` client (any OpenAI-compatible endpoint: set its `baseURL`). */
  client: Pick<OpenAI, "chat">;
  /** The request, without `stream` and `tools` (the helper sets them): `model`, `messages`, … */
  request: Omit<ChatCompletionCreateParamsStreaming, "stream" | "tools">;
  /** Functions the model may call; each call runs as a step of the reply. */
  tools?: OpenAITools;
  /** Model calls at most (each round of tool calls is one more), default 8. */
  maxRounds?: number;
  /** The reply to stream into; default a new `chat.reply()`. */
  reply?: LlmReply;
}

export interface OpenAIChatResult extends LlmResult {
  /** The conversation as sent last, plus the model's final answer: `request.messages` continued. */
  messages: ChatCompletionMessageParam[];
}

const DEFAULT_MAX_ROUNDS = 8;

/**
 * Streams a chat completion into a Parlor reply, running the model's tool calls as steps
 * (`chat.step`, type `tool`, the parsed arguments as input and the tool's result as output)
 * and calling the model again with their results, until it answers in text. The user's stop
 * aborts the request in flight (the SDK's `signal`) and the running tool (its `signal`); the
 * reply then ends with what was written. The reply is ended in every case but an error, which
 * is thrown as the SDK threw it (Parlor then ends the reply as failed).
 */
export async function streamOpenAIChat(chat: LlmChat, options: StreamOpenAIChatOptions): Promise<OpenAIChatResult> {
  const { client, request, tools = {}, maxRounds = DEFAULT_MAX_ROUNDS } = options;
  const reply = options.reply ?? chat.reply();
  const messages = [...request.messages];
  const toolList = Object.entries(tools).map(([name, tool]) => ({
    type: "function" as const,
    function: { name, description: tool.description, parameters: tool.parameters },
  }));
  let text = "";
  try {
    for (let round = 1; round <= maxRounds; round++) {
      const stream = await client.chat.completions.create(
        { ...request, messages, stream: true, ...(toolList.length > 0 && round < maxRounds ? { tools: toolList } : {}) },
        { signal: chat.signal },
      );
      const answer = await readStream(stream, reply);
      text += answer.text;
      if (answer.toolCalls.length === 0) {
        messages.push({ role: "assistant", content: answer.text });
        break;
      }
      messages.push({ role: "assistant", content: answer.text || null, tool_calls: answer.toolCalls });
      for (const call of answer.toolCalls) {
        messages.push({ role: "tool", tool_call_id: call.id, content: await runToolCall(chat, tools, call) });
      }
    }
  } catch (error) {
    if (!stoppedBy(chat.signal, error)) throw error;
    await reply.end();
    return { text, stopped: true, messages };
  }
  await reply.end();
  return { text, stopped: false, messages };
}

interface StreamedAnswer {
  text: string;
  toolCalls: ChatCompletionMessageFunctionToolCall[];
}

/** Streams the text into the reply; gathers the tool calls, whose arguments arrive in pieces. */
async function readStream(stream: AsyncIterable<ChatCompletionChunk>, reply: LlmReply): Promise<StreamedAnswer> {
  let text = "";
  const calls: ChatCompletionMessageFunctionToolCall[] = [];
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta;
    if (!delta) continue;
    if (delta.content) {
      text += delta.content;
      await reply.stream(delta.content);
    }
    for (const piece of delta.tool_calls ?? []) {
      const call = (calls[piece.index] ??= { id: "", type: "function", function: { name: "", arguments: "" } });
      if (piece.id) call.id = piece.id;
      if (piece.function?.name) call.function.name += piece.function.name;
      if (piece.function?.arguments) call.function.arguments += piece.function.arguments;
    }
  }
  return { text, toolCalls: calls.filter(Boolean) };
}

/**
 * Runs one call as a step and returns what the model reads back. A call the model got wrong
 * (an unknown tool, arguments that are not a JSON object) is answered with an error text
 * rather than thrown: the model can correct itself in the next round.
 */
async function runToolCall(chat: LlmChat, tools: OpenAITools, call: ChatCompletionMessageFunctionToolCall): Promise<string> {
  const name = call.function.name;
  const args = parseArguments(call.function.arguments);
  const tool = Object.hasOwn(tools, name) ? tools[name] : undefined;
  try {
    return await chat.step({ name, type: "tool", input: args ?? call.function.arguments }, async () => {
      if (!tool) throw new Error(`there is no tool named "${name}"`);
      if (args === undefined) throw new Error("the arguments are not a JSON object");
      return toolOutputText(await tool.execute(args, { signal: chat.signal }));
    });
  } catch (error) {
    if (stoppedBy(chat.signal, error)) throw error;
    return toolErrorText(error);
  }
}

function parseArguments(raw: string): { [key: string]: JsonValue } | undefined {
  try {
    const value = JSON.parse(raw === "" ? "{}" : raw) as JsonValue;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
