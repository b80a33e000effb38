/** What went wrong, for a host page that catches a `Parlor.*` call. Match on `code`, not on `message`. */
export type WidgetErrorCode =
  /** `Parlor.mount` got options it cannot use; the message names the option. */
  | "invalid_options"
  /** `Parlor.mount` was called while a widget is mounted (call `Parlor.unmount()` first). */
  | "already_mounted"
  /** `open`, `close`, `toggle` or `sendMessage` before `Parlor.mount`. */
  | "not_mounted"
  /** `Parlor.registerFunction` got a bad name or something that is not a function. */
  | "invalid_function"
  /** `Parlor.sendMessage` got an empty or oversize text. */
  | "invalid_message"
  /** The page has no origin the chat could answer to (a `file:` page, a sandboxed frame). */
  | "unsupported_page";

export class WidgetError extends Error {
  override readonly name = "ParlorWidgetError";

  constructor(
    readonly code: WidgetErrorCode,
    message: string,
  ) {
    super(message);
  }
}
