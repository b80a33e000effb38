import { memo } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { basePath } from "../router/base-path";

/**
 * Markdown as React elements, safe for text an app or a model wrote:
 * - raw HTML in the text is never rendered as HTML (no `rehype-raw`): it shows as plain text,
 *   and nothing here uses `dangerouslySetInnerHTML`;
 * - link URLs go through react-markdown's default filter (`javascript:` and the like are
 *   removed) and open in a new tab without `window.opener` or a referrer;
 * - images are shown only when they are files of this app (`<base path>/api/files/…`); any other image
 *   becomes a link, so a reply cannot load a tracking pixel (and the CSP would block it).
 */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={[remarkGfm]} components={components}>
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
  table({ node: _node, ...props }) {
    return (
      <div className="markdown-table">
        <table {...props} />
      </div>
    );
  },
};
