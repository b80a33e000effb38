/** Thumbs up (`1`) or down (`-1`) on an assistant reply, with an optional comment. */
export interface MessageFeedback {
  value: 1 | -1;
  comment?: string;
}

/**
 * The JSON body of `PUT /api/messages/:id/feedback`. `value: 0` takes the feedback back (the
 * message's `feedback` is `null` again); a comment goes with `1` or `-1` only.
 */
export interface FeedbackBody {
  value: 1 | -1 | 0;
  comment?: string;
}

/** The answer of `PUT /api/messages/:id/feedback`: the message's feedback as now stored. */
export interface FeedbackResponse {
  messageId: string;
  feedback: MessageFeedback | null;
}

/** The longest feedback comment, in characters. */
export const MAX_FEEDBACK_COMMENT_LENGTH = 2000;
