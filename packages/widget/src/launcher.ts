import LAUNCHER_CSS from "./launcher.css?inline";
import type { WidgetTheme } from "./mount-options.js";

export interface LauncherOptions {
  /** Render into this element (no floating button, no header) instead of floating over the page. */
  container: HTMLElement | null;
  frameUrl: string;
  theme: WidgetTheme;
  open: boolean;
  /** Called after the panel was shown or hidden, whoever asked. */
  onOpenChange: (open: boolean) => void;
}

/**
 * Permissions the chat may ask for: copying a reply to the clipboard. Nothing else (no camera,
 * microphone, geolocation, payment): the chat needs none, and the host page should not be the
 * one that lends them.
 */
const FRAME_ALLOW = "clipboard-write";

/**
 * The sandbox keeps the frame's own origin (`allow-same-origin`) on purpose: the frame is on the
 * Parlor server's origin, cross-origin to the host, so this gives it nothing of the host page;
 * without it the frame would get an opaque origin ("null"), its messages could not be checked
 * against the server's origin and its own requests (`POST /auth/token`, socket.io) would be
 * cross-origin. What the sandbox takes away is navigating the host page (`allow-top-navigation`
 * is absent) and anything not listed (pointer lock, presentation, modals).
 */
const FRAME_SANDBOX = "allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox allow-downloads";

const SVG_NS = "http://www.w3.org/2000/svg";

function chatIcon(): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("fill", "currentColor");
  path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  svg.append(path);
  return svg;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}): HTMLElementTagNameMap[K] {
  return Object.assign(document.createElement(tag), props);
}

/**
 * The widget's UI: a floating button that opens a panel holding the chat iframe, or the panel
 * alone inside the host's `container`. Built with DOM calls (no innerHTML, which a host page
 * with Trusted Types would refuse) in an open shadow root that isolates it from the page's CSS.
 */
export class Launcher {
  readonly iframe: HTMLIFrameElement;
  readonly #host: HTMLElement;
  readonly #panel: HTMLElement;
  readonly #button: HTMLButtonElement | null = null;
  readonly #badge: HTMLElement | null = null;
  #open = false;
  #unread = 0;

  constructor(private readonly options: LauncherOptions) {
    this.#host = element("div");
    this.#host.setAttribute("data-parlor-widget", "");
    this.#host.setAttribute("data-theme", options.theme);
    const root = this.#host.attachShadow({ mode: "open" });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(LAUNCHER_CSS);
    root.adoptedStyleSheets = [sheet];
    if (options.container !== null) this.#host.style.cssText = "display:block;width:100%;height:100%";

    const floating = options.container === null;
    this.#panel = element("section", { className: `panel ${floating ? "floating" : "inline"}`, id: "parlor-panel", hidden: true });
    this.#panel.setAttribute("aria-label", "Chat");
    if (floating) {
      // A non-modal dialog: the page stays usable while the chat is open.
      this.#panel.setAttribute("role", "dialog");
      const header = element("div", { className: "header" });
      const close = element("button", { className: "close", type: "button", textContent: "×" });
      close.setAttribute("aria-label", "Close chat");
      close.addEventListener("click", () => this.close());
      header.append(element("span", { className: "title", textContent: "Chat" }), close);
      this.#panel.append(header);

      this.#button = element("button", { className: "launcher", type: "button" });
      this.#button.setAttribute("aria-controls", "parlor-panel");
      this.#button.append(chatIcon());
      this.#badge = element("span", { className: "badge", hidden: true });
      this.#badge.setAttribute("aria-hidden", "true");
      this.#button.append(this.#badge);
      this.#button.addEventListener("click", () => this.toggle());
    }

    this.iframe = element("iframe", { title: "Chat", src: options.frameUrl, referrerPolicy: "origin" });
    this.iframe.setAttribute("allow", FRAME_ALLOW);
    this.iframe.setAttribute("sandbox", FRAME_SANDBOX);
    this.#panel.append(this.iframe);
    root.append(...(this.#button ? [this.#button] : []), this.#panel);

    // Escape inside the iframe never reaches this page: the frame sends `close` for that.
    root.addEventListener("keydown", (event) => {
      if ((event as KeyboardEvent).key === "Escape" && this.#open && floating) {
        event.stopPropagation();
        this.close();
      }
    });

    // The initial state is not a change: nobody is told (the frame learns it when it connects).
    this.#open = options.open;
    this.#render();
    (options.container ?? document.body).append(this.#host);
  }

  get isOpen(): boolean {
    return this.#open;
  }

  open(): void {
    this.#setOpen(true);
  }

  close(): void {
    this.#setOpen(false);
  }

  toggle(): void {
    this.#setOpen(!this.#open);
  }

  /** Replies the user has not seen; shown on the button while the panel is closed. */
  setUnread(count: number): void {
    this.#unread = count;
    this.#render();
  }

  destroy(): void {
    this.#host.remove();
  }

  #setOpen(open: boolean): void {
    if (open === this.#open) return;
    // Read before the panel hides: a hidden element loses focus. (Focus in the iframe shows
    // here as the iframe element.)
    const active = this.#host.shadowRoot?.activeElement ?? null;
    const focusWasInPanel = active !== null && this.#panel.contains(active);
    this.#open = open;
    this.#render();
    if (open) this.iframe.focus();
    // Back to the button that opened the panel, so keyboard users do not land on <body>.
    else if (focusWasInPanel) this.#button?.focus();
    this.options.onOpenChange(open);
  }

  #render(): void {
    this.#panel.hidden = !this.#open;
    if (this.#button === null || this.#badge === null) return;
    this.#button.setAttribute("aria-expanded", String(this.#open));
    const unread = !this.#open && this.#unread > 0;
    this.#button.setAttribute("aria-label", this.#open ? "Close chat" : unread ? `Open chat, ${this.#unread} unread` : "Open chat");
    this.#badge.hidden = !unread;
    this.#badge.textContent = unread ? String(Math.min(this.#unread, 99)) : "";
  }
}
