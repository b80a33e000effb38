import type { MessageFeedback } from "@parlor/react";
import { useId, useState, type FormEvent } from "react";
import { useI18n } from "../i18n";
import "../styles/chat-options.css";
import { ThumbIcon } from "./icons";

export interface FeedbackButtonsProps {
  feedback: MessageFeedback | null;
  /** Stores the rating (`useChat().feedback`); rejects when the server refused it. */
  onRate(value: 1 | -1 | 0, comment?: string): Promise<unknown>;
}

/**
 * Thumbs up and down under a reply. A click rates at once (a second click on the same thumb
 * takes the rating back); then an optional comment can follow, sent with the same rating.
 */
export function FeedbackButtons({ feedback, onRate }: FeedbackButtonsProps) {
  const [asking, setAsking] = useState<1 | -1 | null>(null);
  const [comment, setComment] = useState("");
  const [status, setStatus] = useState<"idle" | "thanks" | "failed">("idle");
  const commentId = useId();
  const { t } = useI18n();

  async function rate(value: 1 | -1) {
    const next = feedback?.value === value ? 0 : value;
    try {
      await onRate(next);
      setAsking(next === 0 ? null : next);
      setComment("");
      setStatus("idle");
    } catch {
      setStatus("failed");
    }
  }

  async function sendComment(event: FormEvent) {
    event.preventDefault();
    if (asking === null) return;
    try {
      await onRate(asking, comment.trim());
      setAsking(null);
      setStatus("thanks");
    } catch {
      setStatus("failed");
    }
  }

  return (
    <>
      <button
        type="button"
        className="icon-button icon-button-small feedback-button"
        aria-label={t("feedback.good")}
        title={t("feedback.good")}
        aria-pressed={feedback?.value === 1}
        onClick={() => void rate(1)}
      >
        <ThumbIcon />
      </button>
      <button
        type="button"
        className="icon-button icon-button-small feedback-button"
        aria-label={t("feedback.bad")}
        title={t("feedback.bad")}
        aria-pressed={feedback?.value === -1}
        onClick={() => void rate(-1)}
      >
        <ThumbIcon down />
      </button>
      {asking !== null ? (
        <form className="feedback-comment" onSubmit={(event) => void sendComment(event)}>
          <label htmlFor={commentId}>{asking === 1 ? t("feedback.commentGood") : t("feedback.commentBad")}</label>
          <textarea id={commentId} rows={2} maxLength={2000} value={comment} onChange={(event) => setComment(event.target.value)} autoFocus />
          <div className="feedback-comment-actions">
            <button type="button" className="button button-ghost button-small" onClick={() => setAsking(null)}>
              {t("feedback.skip")}
            </button>
            <button type="submit" className="button button-primary button-small" disabled={comment.trim() === ""}>
              {t("feedback.send")}
            </button>
          </div>
        </form>
      ) : null}
      <span className="feedback-status" role="status">
        {status === "thanks" ? t("feedback.thanks") : status === "failed" ? t("feedback.failed") : ""}
      </span>
    </>
  );
}
