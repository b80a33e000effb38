import type { Element, ElementContent } from "hast";
import { isValidElement, memo, type ReactNode } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { CodeBlock } from "../rich/CodeBlock";
import { useRichPlugins } from "../rich/use-rich-plugins";
import { basePath } from "../router/base-path";

/**
 * Markdown as React elements, safe for text an app or a model wrote:
 * - raw HTML in the text is never rendered as HTML (no `rehype-raw`): it shows as plain text,
 *   and nothing here uses `dangerouslySetInnerHTML`;
 * - link URLs go through react-markdown's default filter (`javascript:` and the like are
 *   removed) and open in a new tab without `window.opener` or a referrer;
 * - images are shown only when they are files of this app (`<base path>/api/files/…`); any other image
 *   becomes a link, so a reply cannot load a tracking pixel (and the CSP would block it);
 * - fenced code is a `CodeBlock` (language, copy, open in panel), highlighted and math typeset
 *   by plugins loaded only for the replies that have them (`useRichPlugins`).
 */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const { remarkPlugins, rehypePlugins } = useRichPlugins(text);
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={[remarkGfm, ...remarkPlugins]} rehypePlugins={rehypePlugins} components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
});

/** A file of this app: `<base path>/api/files/<id>`, as the server writes file URLs. */
function isAppFile(src: string): boolean {
  return src.startsWith(`${basePath}/api/files/`) && /^[^/?#]+$/.test(src.slice(basePath.length + "/api/files/".length));
}

const components: Components = {
  a({ node: _node, href, children, ...props }) {
    // A URL the filter removed (`javascript:` …) leaves an empty href: show the text only.
    if (!href) return <span>{children}</span>;
    return (
      <a {...props} href={href} target="_blank" rel="noopener noreferrer nofollow">
        {children}
      </a>
    );
  },
  img({ node: _node, src, alt }) {
    if (typeof src === "string" && isAppFile(src)) return <img src={src} alt={alt ?? ""} loading="lazy" />;
    if (typeof src !== "string" || src === "") return <span>{alt}</span>;
    return (
      <a href={src} target="_blank" rel="noopener noreferrer nofollow">
        {alt || src}
      </a>
    );
  },
  pre({ node, children }) {
    const code = node?.children.find((child): child is Element => child.type === "element" && child.tagName === "code");
    if (code === undefined) return <pre>{children}</pre>;
    const language = languageOf(code);
    // The highlighted spans (or the plain text) that react-markdown made of the <code> element.
    const inner: ReactNode = isValidElement<{ children?: ReactNode }>(children) ? children.props.children : children;
    return (
      <CodeBlock language={language} text={textOf(code).replace(/\n$/, "")}>
        {inner}
      </CodeBlock>
    );
  },
  table({ node: _node, ...props }) {
    return (
      <div className="markdown-table">
        <table {...props} />
      </div>
    );
  },
};

/** The fence's language (`language-ts` → `ts`), without highlight.js's own `hljs` class. */
function languageOf(code: Element): string | null {
  const classes = code.properties.className;
  const list = Array.isArray(classes) ? classes.map(String) : [];
  const language = list.find((name) => name.startsWith("language-"))?.slice("language-".length);
  return language !== undefined && language !== "" ? language : null;
}

/** The text of a hast element, highlighted spans included. */
function textOf(node: Element | ElementContent): string {
  if (node.type === "text") return node.value;
  if (node.type === "element") return node.children.map(textOf).join("");
  return "";
}
