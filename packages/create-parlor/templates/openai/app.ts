import { timingSafeEqual } from "node:crypto";
import OpenAI from "openai";
import { defineApp, ParlorConfigError } from "parlor";
import { streamOpenAIChat, type OpenAITools } from "@parlor/llm/openai";

/**
 * An assistant on any OpenAI-compatible endpoint (OpenAI, or a local llama.cpp, vLLM or
 * Ollama server): the reply streams token by token, the thread's history is the model's
 * context, the model's tool calls run as steps the user can open under the reply, and the
 * stop button aborts the request to the model.
 *
 * Who may log in: any username with the password in APP_PASSWORD ("demo" in development,
 * required in production). Replace `auth` with your own check (a user table, OAuth, …).
 */
const apiKey = process.env.OPENAI_API_KEY;
if (!apiKey) throw new ParlorConfigError("Set OPENAI_API_KEY (and OPENAI_BASE_URL for an endpoint other than OpenAI's).");
const openai = new OpenAI({ apiKey, baseURL: process.env.OPENAI_BASE_URL || undefined });
const model = process.env.OPENAI_MODEL || "gpt-4o-mini";

const password = process.env.APP_PASSWORD ?? (process.env.NODE_ENV === "production" ? undefined : "demo");
if (password === undefined) throw new ParlorConfigError("Set APP_PASSWORD: production does not accept the development password.");
const expected = Buffer.from(password);

/** Functions the model may call: add your own (a search, a database lookup, …). */
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
    password: ({ username, password }) => (/^[\w-]{1,32}$/.test(username) && samePassword(password) ? { identifier: username } : null),
  },
  async onMessage(_message, chat) {
    const history = await chat.history();
    // Streams the answer into a reply, runs tool calls as steps and calls the model again with
    // their results; the user's stop aborts the request (and the billing).
    await streamOpenAIChat(chat, {
      client: openai,
      tools,
      request: {
        model,
        messages: [
          { role: "system", content: "You are a helpful assistant." },
          ...history.filter((m) => m.role !== "system").map((m) => ({ role: m.role as "user" | "assistant", content: m.content })),
        ],
      },
    });
  },
});

// Compared in constant time, so response timing does not reveal how much of a guess was right.
function samePassword(given: string): boolean {
  const bytes = Buffer.from(given);
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}
