export { streamAIText, type AITextStream, type StreamAITextOptions } from "./stream-ai-text.js";
export type { LlmChat, LlmReply, LlmResult } from "../chat-surface.js";
