export { streamOpenAIChat, type OpenAIChatResult, type StreamOpenAIChatOptions } from "./stream-openai-chat.js";
export type { OpenAITool, OpenAITools } from "./openai-tool.js";
export type { LlmChat, LlmReply, LlmResult } from "../chat-surface.js";
