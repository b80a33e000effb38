import type { MessageAsk } from "@parlor/react";

/** UI strings of this component (13c's catalog takes them over). */
const strings = {
  text: "Answer in the message box below.",
  file: (accept: readonly string[]) => (accept.length > 0 ? `Attach a file below (${accept.join(", ")}).` : "Attach a file below."),
  action: "Choose an answer.",
  expired: "This question expired.",
  cancelled: "This question was cancelled.",
};

/** Under a question the app asked: what answers it while it waits, or how it ended. */
export function AskStatus({ ask }: { ask: MessageAsk }) {
  let text: string;
  switch (ask.status) {
    case "pending":
      text = ask.type === "text" ? strings.text : ask.type === "file" ? strings.file(ask.accept) : strings.action;
      break;
    case "expired":
      text = strings.expired;
      break;
    case "cancelled":
      text = strings.cancelled;
      break;
    default:
      return null;
  }
  return <p className={`ask-status ask-status-${ask.status}`}>{text}</p>;
}
