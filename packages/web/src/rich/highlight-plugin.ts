// Loaded on demand (rich/use-rich-plugins.ts): highlight.js's common languages are the largest
// part of the renderer, and most replies have no code block.
import rehypeHighlight from "rehype-highlight";

export { rehypeHighlight };
