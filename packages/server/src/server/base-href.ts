/**
 * The built UI's HTML with `<base href="<basePath>/">` as the first element of its head.
 *
 * The UI is built once with relative asset URLs (`./assets/…`, vite `base: "./"`) and served
 * under whatever prefix the deployer chose at run time: the base element makes those URLs
 * resolve under the prefix from any page (`/chat/chat/<id>` too, not only `/chat/`), and
 * the app reads its base path back from `document.baseURI`. An element rather than an inline
 * script: the CSP allows no inline script, and `base-uri 'self'` allows this element only
 * for this origin. `basePath` is checked at start-up (config/base-path.ts: letters, digits
 * and `-._~` only), so it needs no escaping here.
 */
export function withBaseHref(html: string, basePath: string): string {
  const base = `<base href="${basePath}/" />`;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head === null) return base + html;
  const end = head.index + head[0].length;
  return html.slice(0, end) + base + html.slice(end);
}
