import { timingSafeEqual } from "node:crypto";
import { fileURLToPath } from "node:url";
import { defineApp, ParlorConfigError } from "parlor";
import { handleCommand, onAction } from "./steps-actions-ask.js";
import { richReply } from "./rich-replies.js";
import { chatOptions, echoOf, wordDelay } from "./chat-options.js";

/**
 * The demo app: anyone can log in with any username and the demo password, so several
 * users can be tried side by side. Never deploy it as it is.
 */
const production = process.env.NODE_ENV === "production";
const demoPassword = process.env.PARLOR_DEMO_PASSWORD ?? (production ? undefined : "demo");
if (demoPassword === undefined) {
  throw new ParlorConfigError("The demo refuses to start in production without PARLOR_DEMO_PASSWORD.");
}
if (process.env.PARLOR_DEMO_PASSWORD === undefined) {
  console.log(`Demo: log in with any username and the password "${demoPassword}".`);
}

const USERNAME = /^[A-Za-z0-9_-]{1,32}$/;
const expected = Buffer.from(demoPassword);

function isDemoPassword(password: string): boolean {
  const given = Buffer.from(password);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export default defineApp({
  name: "Parlor Demo",
  auth: {
    password: ({ username, password }) => (USERNAME.test(username) && isDemoPassword(password) ? { identifier: username, displayName: username } : null),
  },
  // Welcome, starters, settings and profiles (chat-options.ts).
  ...chatOptions,
  // The app's face in the web UI: its logo (a file next to this one, served by the server)
  // and accent colour, with chat-options.ts's welcome and starters.
  ui: { ...chatOptions.ui, logo: fileURLToPath(new URL("./logo.svg", import.meta.url)), accentColor: "#0f766e" },
  async onMessage(message, chat) {
    if (await handleCommand(message, chat)) return;
    if (await richReply(message.content, chat)) return;
    const reply = chat.reply();
    for (const word of echoOf(message.content, chat).split(/(\s+)/)) {
      if (chat.signal.aborted) break;
      await reply.stream(word);
      await delay(wordDelay(chat));
    }
    await reply.end();
  },
  onAction,
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
