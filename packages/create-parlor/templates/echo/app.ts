import { timingSafeEqual } from "node:crypto";
import { defineApp, ParlorConfigError } from "parlor";

/**
 * Replies with what you wrote, word by word. Replace `onMessage` with your own logic; the
 * reply streams to the browser as you write it.
 *
 * Who may log in: any username with the password in APP_PASSWORD ("demo" in development,
 * required in production). Replace `auth` with your own check (a user table, OAuth, …).
 */
const password = process.env.APP_PASSWORD ?? (process.env.NODE_ENV === "production" ? undefined : "demo");
if (password === undefined) throw new ParlorConfigError("Set APP_PASSWORD: production does not accept the development password.");
const expected = Buffer.from(password);

export default defineApp({
  name: "Echo",
  auth: {
    password: ({ username, password }) => (/^[\w-]{1,32}$/.test(username) && samePassword(password) ? { identifier: username } : null),
  },
  async onMessage(message, chat) {
    const reply = chat.reply();
    for (const word of `You said: ${message.content}`.split(/(\s+)/)) {
      // The user pressed stop: keep what was written so far.
      if (chat.signal.aborted) break;
      await reply.stream(word);
    }
    await reply.end();
  },
});

// Compared in constant time, so response timing does not reveal how much of a guess was right.
function samePassword(given: string): boolean {
  const bytes = Buffer.from(given);
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}
