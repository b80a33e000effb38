/**
 * A chat title without Markdown syntax, for the sidebar and the top bar: the server names a
 * thread after its first message, which may be written in Markdown (`**Fix** the \`build\``).
 * Only the marks go; the words stay, and text that merely looks like a mark mid-word
 * (`snake_case_name`, `2*3*4`) is left alone.
 *
 * @example
 * plainTitle("## How do I use `useEffect` with [React](https://react.dev)?") // → "How do I use useEffect with React?"
 */
export function plainTitle(title: string): string {
  const plain = title
    // Images and links: their text.
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    // Code spans: their content.
    .replace(/(`+)([^`]+?)\1/g, "$2")
    // Line starts: headings, quotes, list markers, fences.
    .replace(/^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+|```\w*|~~~\w*)/gm, "")
    // Emphasis and strike-through around words (not inside them).
    .replace(/(^|[\s(])(\*\*|__|\*|_|~~)(?=\S)([^]*?\S)\2(?=$|[\s.,;:!?)])/g, "$1$3")
    // Display and inline math delimiters.
    .replace(/\$\$([^$]+)\$\$/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
  return plain === "" ? title.trim() : plain;
}
