import { Component, type ReactNode } from "react";

interface Props {
  /** Shown instead of `children` once they have thrown while rendering. */
  fallback: ReactNode;
  children: ReactNode;
}

/**
 * Renders `fallback` in place of children that throw while rendering, instead of letting the
 * error unmount the whole app. For the parts of a page that are optional: the Markdown
 * renderer is a separate chunk, and a failed download of it (a server restart mid-transfer,
 * a deploy that replaced the assets) must leave the chat working, with the reply as plain text.
 * React offers error boundaries only as class components.
 */
export class FallbackOnError extends Component<Props, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override render(): ReactNode {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}
