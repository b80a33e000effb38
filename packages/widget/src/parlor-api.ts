import { EMBED_MAX_MESSAGE_BYTES, utf8ByteLength } from "@parlor/protocol";
import { FunctionRegistry, type ClientFunction } from "./function-registry.js";
import { resolveMountOptions, type MountOptions, type PageContext } from "./mount-options.js";
import { MountedWidget } from "./mounted-widget.js";
import { WidgetError } from "./widget-error.js";

/** `window.Parlor`: what a host page calls. */
export interface ParlorApi {
  readonly version: string;
  mount(options: MountOptions): void;
  unmount(): void;
  open(): void;
  close(): void;
  toggle(): void;
  registerFunction(name: string, fn: ClientFunction): void;
  unregisterFunction(name: string): boolean;
  /** Sends `text` as the user's message (queued until the chat is connected). */
  sendMessage(text: string): void;
}

export const WIDGET_VERSION = "0.1.0";

/** `page` is read when `mount` is called, so it is a function (tests and `location` change). */
export function createParlorApi(page: () => PageContext): ParlorApi {
  const functions = new FunctionRegistry();
  let mounted: MountedWidget | null = null;

  function requireMounted(method: string): MountedWidget {
    if (mounted === null) throw new WidgetError("not_mounted", `Parlor.${method}: call Parlor.mount(options) first`);
    return mounted;
  }

  return Object.freeze({
    version: WIDGET_VERSION,
    mount(options: MountOptions) {
      if (mounted !== null) throw new WidgetError("already_mounted", "Parlor.mount: a widget is already mounted; call Parlor.unmount() first");
      mounted = new MountedWidget(resolveMountOptions(options, page()), functions);
    },
    unmount() {
      mounted?.destroy();
      mounted = null;
    },
    open: () => requireMounted("open").launcher.open(),
    close: () => requireMounted("close").launcher.close(),
    toggle: () => requireMounted("toggle").launcher.toggle(),
    registerFunction: (name: string, fn: ClientFunction) => functions.register(name, fn),
    unregisterFunction: (name: string) => functions.unregister(name),
    sendMessage(text: string) {
      const widget = requireMounted("sendMessage");
      if (typeof text !== "string" || text.trim() === "") throw new WidgetError("invalid_message", "Parlor.sendMessage: the text must be a non-empty string");
      if (utf8ByteLength(text) > EMBED_MAX_MESSAGE_BYTES) {
        throw new WidgetError("invalid_message", `Parlor.sendMessage: the text is over ${EMBED_MAX_MESSAGE_BYTES} bytes of UTF-8`);
      }
      widget.send({ type: "send-message", text });
    },
  });
}
