const MAX_WORDS = 6;
const MAX_LENGTH = 60;

/** A new thread's default name: the first words of its first message. */
export function threadNameFrom(content: string): string {
  const words = content.trim().split(/\s+/).slice(0, MAX_WORDS).join(" ");
  const name = words.length > MAX_LENGTH ? words.slice(0, MAX_LENGTH - 1).trimEnd() + "…" : words;
  return name || "New chat";
}
