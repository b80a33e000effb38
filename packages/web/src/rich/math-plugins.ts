// Loaded on demand (rich/use-rich-plugins.ts), only for a reply with math. KaTeX renders with
// no `eval` or `new Function`, so the CSP needs no 'unsafe-eval'. Its stylesheet and fonts
// become files of this origin (`style-src 'self'`, `font-src 'self'`); its inline sizes are
// `style` properties that React sets through the CSSOM, which the CSP does not restrict.
import "katex/dist/katex.min.css";
import rehypeKatex from "rehype-katex";
import remarkMath from "remark-math";

export { rehypeKatex, remarkMath };
