import type { AppDefinition, Chat } from "parlor";

/**
 * The demo's welcome, starters, chat settings and profiles (issue 13b): how the echo is
 * written. The profile picks what is echoed (the words as they are, or in reverse order), and
 * the settings change its speed and case; feedback is printed to the server's console.
 */
export const chatOptions = {
  ui: {
    welcome: (user) =>
      `Hello **${user.displayName ?? user.identifier}**. This demo echoes what you write, word by word.\n\n` +
      "Pick a profile below, open the settings (top right) to change the speed, or try a suggestion.",
    starters: [
      { label: "Say hello", message: "Hello there, Parlor!" },
      { label: "A long echo", message: "The quick brown fox jumps over the lazy dog while the demo streams every word." },
      { label: "Markdown", message: "Some **bold**, some `code` and a [link](https://example.com)." },
    ],
  },
  profiles: [
    { id: "echo", name: "Echo", description: "Your words, as you wrote them" },
    { id: "reverse", name: "Reverse", description: "Your words, last one first" },
  ],
  settings: [
    {
      id: "speed",
      type: "select",
      label: "Speed",
      description: "How fast the echo streams",
      options: [
        { value: "slow", label: "Slow" },
        { value: "normal", label: "Normal" },
        { value: "fast", label: "Fast" },
      ],
      default: "normal",
    },
    { id: "shout", type: "switch", label: "Shout (upper case)", default: false },
    { id: "repeat", type: "slider", label: "Repeat", min: 1, max: 3, step: 1, default: 1 },
    { id: "prefix", type: "text", label: "Prefix", placeholder: "You said:", maxLength: 40, default: "You said:" },
  ],
  onFeedback({ message, value, comment, user }) {
    console.log(`Demo: ${user.identifier} rated reply ${message.id} ${value}${comment ? `: ${comment}` : ""}`);
  },
  onSettingsUpdate(settings, chat) {
    console.log(`Demo: thread ${chat.thread.id} settings now ${JSON.stringify(settings)}`);
  },
} satisfies Pick<AppDefinition, "ui" | "profiles" | "settings" | "onFeedback" | "onSettingsUpdate">;

const DELAYS_MS: Record<string, number> = { slow: 150, normal: 60, fast: 15 };

/** The echo of `text` as the thread's profile and settings write it. */
export function echoOf(text: string, chat: Chat): string {
  const { settings } = chat;
  const said =
    chat.profile === "reverse"
      ? text
          .split(/\s+/)
          .filter((word) => word !== "")
          .reverse()
          .join(" ")
      : text;
  let echo = Array.from({ length: Number(settings.repeat ?? 1) }, () => said).join(" / ");
  if (settings.shout === true) echo = echo.toUpperCase();
  const prefix = typeof settings.prefix === "string" && settings.prefix.trim() !== "" ? settings.prefix.trim() : "You said:";
  return `${prefix} ${echo}`;
}

/** Milliseconds between streamed words, from the `speed` setting. */
export function wordDelay(chat: Chat): number {
  return DELAYS_MS[String(chat.settings.speed)] ?? DELAYS_MS.normal!;
}
