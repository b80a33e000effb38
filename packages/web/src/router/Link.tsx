import type { AnchorHTMLAttributes, MouseEvent } from "react";
import { hrefOf } from "./base-path";
import { navigate } from "./navigate";

export interface LinkProps extends AnchorHTMLAttributes<HTMLAnchorElement> {
  /** A path of this app, without the base path (the link gets it). */
  href: string;
}

/**
 * A real link (it opens in a new tab with Ctrl/⌘-click and works without JavaScript
 * routing) that navigates in place on a plain click.
 *
 * @example
 * <Link href="/sessions">Sessions</Link>
 */
export function Link({ href, onClick, ...props }: LinkProps) {
  function followInApp(event: MouseEvent<HTMLAnchorElement>) {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (props.target !== undefined && props.target !== "_self") return;
    event.preventDefault();
    navigate(href);
  }
  return <a href={hrefOf(href)} onClick={followInApp} {...props} />;
}
