/**
 * What a reply's Markdown needs beyond the base renderer, guessed from its text before it is
 * parsed, so the heavy pieces are downloaded only for the replies that use them.
 */

/** A fenced code block (``` or ~~~ at a line start): worth the syntax highlighter. */
export function hasCodeBlock(text: string): boolean {
  return /^\s{0,3}(`{3,}|~{3,})/m.test(text);
}

/**
 * Math as remark-math reads it: `$$…$$` anywhere, or `$…$` hugging its content on one line
 * (`$x^2$`, not "costs $5 and $10", where the space after the first `$` rules it out).
 */
export function hasMath(text: string): boolean {
  return /\$\$[^]+?\$\$/.test(text) || /(^|[^\\$\w])\$(?=\S)[^$\n]*?\S\$(?![\w$])/.test(text);
}
