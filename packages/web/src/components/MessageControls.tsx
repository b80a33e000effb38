import type { ChatMessageView, UseChatResult } from "@parlor/react";
import type { ReactNode } from "react";
import type { Translate } from "../i18n";
import { FeedbackButtons } from "./FeedbackButtons";
import { PencilIcon, RetryIcon } from "./icons";

export interface MessageControlsOptions {
  chat: UseChatResult;
  /** Opens the editor on the user's last message. */
  onEdit(messageId: string): void;
  /** The UI's translator (`useI18n().t` of the calling component: this is not a hook). */
  t: Translate;
}

/**
 * The controls under each message: feedback on every finished reply; Regenerate on the
 * latest reply and Edit on the user's latest message, usable while nothing is being written
 * (the server refuses them otherwise: `busy`, `not_latest`).
 */
export function messageControls({ chat, onEdit, t }: MessageControlsOptions): (message: ChatMessageView) => ReactNode {
  const { messages, status, threadId } = chat;
  const last = messages.at(-1);
  const lastUser = messages.findLast((message) => message.role === "user");
  const idle = status === "idle" && threadId !== null;
  return function controlsOf(message) {
    if (message.pending === true || message.live === true) return null;
    if (message.role === "assistant") {
      return (
        <>
          <FeedbackButtons feedback={message.feedback} onRate={(value, comment) => chat.feedback(message.id, value, comment)} />
          {message.id === last?.id ? (
            <button
              type="button"
              className="icon-button icon-button-small"
              aria-label={t("message.regenerate")}
              title={t("message.regenerate")}
              disabled={!idle}
              onClick={() => void chat.regenerate(message.id).catch(() => undefined)}
            >
              <RetryIcon />
            </button>
          ) : null}
        </>
      );
    }
    if (message.role === "user" && message.id === lastUser?.id) {
      return (
        <button
          type="button"
          className="icon-button icon-button-small"
          aria-label={t("message.edit")}
          title={t("message.edit")}
          disabled={!idle}
          onClick={() => onEdit(message.id)}
        >
          <PencilIcon />
        </button>
      );
    }
    return null;
  };
}
