import type { MessageAsk } from "@parlor/react";
import { useI18n, type Translate } from "../i18n";

/** Under a question the app asked: what answers it while it waits, or how it ended. */
export function AskStatus({ ask }: { ask: MessageAsk }) {
  const { t } = useI18n();
  let text: string;
  switch (ask.status) {
    case "pending":
      text = howToAnswer(ask, t);
      break;
    case "expired":
      text = t("ask.expired");
      break;
    case "cancelled":
      text = t("ask.cancelled");
      break;
    default:
      return null;
  }
  return <p className={`ask-status ask-status-${ask.status}`}>{text}</p>;
}

/** The line under a waiting question; a file question names the types it accepts (MIME types, as the app gave them). */
function howToAnswer(ask: MessageAsk, t: Translate): string {
  switch (ask.type) {
    case "text":
      return t("ask.text");
    case "file":
      return ask.accept.length > 0 ? t("ask.fileTypes", { types: ask.accept.join(", ") }) : t("ask.file");
    default:
      return t("ask.action");
  }
}
