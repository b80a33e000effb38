import { timingSafeEqual } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineApp, ParlorConfigError } from "parlor";

/**
 * Your own React frontend (`web/`, built by Vite into `dist/`) served by the app on the same
 * origin, so it logs in with the session cookie and needs no CORS. The server side is an echo:
 * replace `onMessage` with your own logic.
 *
 * Who may log in: any username with the password in APP_PASSWORD ("demo" in development,
 * required in production). Replace `auth` with your own check (a user table, OAuth, …).
 */
const webRoot = fileURLToPath(new URL("./dist", import.meta.url));
if (!existsSync(`${webRoot}/index.html`)) throw new ParlorConfigError(`${webRoot}/index.html is missing: build the frontend first (npm run build)`);

const password = process.env.APP_PASSWORD ?? (process.env.NODE_ENV === "production" ? undefined : "demo");
if (password === undefined) throw new ParlorConfigError("Set APP_PASSWORD: production does not accept the development password.");
const expected = Buffer.from(password);

export default defineApp({
  name: "My chat",
  server: { webRoot },
  auth: {
    password: ({ username, password }) => (/^[\w-]{1,32}$/.test(username) && samePassword(password) ? { identifier: username } : null),
  },
  async onMessage(message, chat) {
    const reply = chat.reply();
    for (const word of `You said: ${message.content}`.split(/(\s+)/)) {
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
