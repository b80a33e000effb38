import { defineApp, type AppDefinition } from "parlor";

/** The password the echo app accepts for any username. */
export const ECHO_PASSWORD = "correct horse battery staple";

export interface EchoAppOptions extends Partial<AppDefinition> {
  /** The password it accepts (default ECHO_PASSWORD). */
  password?: string;
  /** Display name given to a user (default `User <username>`). */
  displayName?: (username: string) => string;
  /** Text before the echoed message, e.g. "You said: ". */
  prefix?: string;
  /**
   * `words` (default): each word of the message followed by one space, so "a b" streams
   * "a ", "b ". `exact`: the words and the whitespace between them as they were, so the
   * stored reply is exactly `prefix + message`.
   */
  pieces?: "words" | "exact";
  /** Pause after each streamed piece, slow enough for a test or a browser to see partial replies. */
  pieceDelayMs?: number;
  /** Stop streaming once the user stops the reply (`chat.signal`). */
  stopOnAbort?: boolean;
}

/**
 * The app most tests and the bench run: password login for any username with a known
 * password, and every message answered by streaming it back piece by piece. The options are
 * what suites vary; any `AppDefinition` field given replaces the echo's own (a suite's own
 * `onMessage`, say).
 */
export function echoApp(options: EchoAppOptions = {}) {
  const {
    password = ECHO_PASSWORD,
    displayName = (username: string) => `User ${username}`,
    prefix = "",
    pieces = "words",
    pieceDelayMs = 0,
    stopOnAbort = false,
    ...app
  } = options;
  return defineApp({
    name: "Test App",
    auth: {
      password: ({ username, password: given }) => (given === password ? { identifier: username, displayName: displayName(username) } : null),
    },
    async onMessage(message, chat) {
      const reply = chat.reply();
      const text = prefix + message.content;
      const parts = pieces === "exact" ? text.split(/(\s+)/).filter((part) => part !== "") : text.split(" ").map((word) => `${word} `);
      for (const part of parts) {
        if (stopOnAbort && chat.signal.aborted) break;
        await reply.stream(part);
        if (pieceDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, pieceDelayMs));
      }
      await reply.end();
    },
    ...app,
  });
}
