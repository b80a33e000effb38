import OpenAI from "openai";
import { defineApp, ParlorConfigError, verifyUserPassword } from "parlor";
import { streamOpenAIChat, type OpenAITools } from "@parlor/llm/openai";

/**
 * A chat with any OpenAI-compatible endpoint (OpenAI, a local llama.cpp or vLLM server, …):
 * the reply streams token by token, the thread's history is the model's context, the model
 * may call a tool (shown as a step under the reply), and the stop button aborts the request.
 *
 *   OPENAI_BASE_URL   endpoint, e.g. http://127.0.0.1:8080/v1 (default: OpenAI's)
 *   OPENAI_API_KEY    key for the endpoint
 *   OPENAI_MODEL      model name (default gpt-4o-mini)
 *   PARLOR_USERS      "name:argon2hash name2:argon2hash …" (space-separated; hashes contain
 *                     commas) — create hashes with `hashPassword` from parlor
 */
const apiKey = process.env.OPENAI_API_KEY;
if (!apiKey) throw new ParlorConfigError("Set OPENAI_API_KEY (and OPENAI_BASE_URL for a non-OpenAI endpoint).");

const client = new OpenAI({ apiKey, baseURL: process.env.OPENAI_BASE_URL });
const model = process.env.OPENAI_MODEL ?? "gpt-4o-mini";
const users = new Map(
  (process.env.PARLOR_USERS ?? "")
    .split(/\s+/)
    .filter(Boolean)
    .map((entry) => [entry.slice(0, entry.indexOf(":")), entry.slice(entry.indexOf(":") + 1)] as const),
);

/** The model may ask for the time: each call runs as a step the user can expand. */
const tools: OpenAITools = {
  current_time: {
    description: "The current date and time, in ISO 8601 (UTC)",
    parameters: { type: "object", properties: {} },
    execute: () => new Date().toISOString(),
  },
};

export default defineApp({
  name: "Assistant",
  auth: {
    // One argon2 check even for unknown usernames, so timing does not reveal which exist.
    async password({ username, password }) {
      return (await verifyUserPassword(users.get(username), password)) ? { identifier: username } : null;
    },
  },
  async onMessage(_message, chat) {
    const history = await chat.history();
    await streamOpenAIChat(chat, {
      client,
      tools,
      request: {
        model,
        messages: history.filter((m) => m.role !== "system").map((m) => ({ role: m.role as "user" | "assistant", content: m.content })),
      },
    });
  },
});
