import type { ChatErrorCode } from "@parlor/protocol";

/** A chat event refused with a stable code: answered through the acknowledgement and an `error` event. */
export class ChatFailure extends Error {
  constructor(
    readonly code: ChatErrorCode,
    message: string,
    readonly threadId?: string,
  ) {
    super(message);
  }
}
