import { MAX_FEEDBACK_COMMENT_LENGTH, type FeedbackBody, type FeedbackResponse } from "@parlor/protocol";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ParlorApp } from "../app/define-app.js";
import type { FeedbackStore } from "../data/feedback-store.js";
import { ParlorError } from "../errors.js";
import { idSchema, isStorableText, storableTextMessage } from "../http/input-schemas.js";
import { parseInput } from "../http/parse-input.js";
import { toFeedback } from "../threads/thread-json.js";

export interface FeedbackRoutesOptions {
  app: ParlorApp;
  feedback: FeedbackStore;
}

const paramsSchema = z.object({ id: idSchema });

const bodySchema = z
  .object({
    value: z.union([z.literal(1), z.literal(-1), z.literal(0)]),
    comment: z.string().trim().max(MAX_FEEDBACK_COMMENT_LENGTH).refine(isStorableText, storableTextMessage).optional(),
  })
  .strict()
  .refine((body) => body.value !== 0 || body.comment === undefined || body.comment === "", {
    path: ["comment"],
    message: "goes with a value of 1 or -1 only",
  }) satisfies z.ZodType<FeedbackBody>;

/**
 * `PUT /api/messages/:id/feedback`: the user rates a reply of their own threads, thumbs up
 * (`1`) or down (`-1`) with an optional comment, or takes it back (`0`). Stored on the message
 * (thread JSON's `feedback`), then handed to the app's `onFeedback`, whose errors are logged:
 * the user's feedback is stored either way. Another user's message, or an unknown or replaced
 * one, answers 404 `not_found`; a message that is not an assistant reply, 422
 * `feedback_not_allowed`. Auth and CSRF come from the server-wide hooks.
 *
 * @example
 * // PUT /api/messages/01J…/feedback { "value": -1, "comment": "Wrong date" }
 * // → 200 { "messageId": "01J…", "feedback": { "value": -1, "comment": "Wrong date" } }
 */
export async function feedbackRoutes(fastify: FastifyInstance, { app, feedback }: FeedbackRoutesOptions) {
  fastify.put("/api/messages/:id/feedback", async function putFeedback(request): Promise<FeedbackResponse> {
    const { id } = parseInput(paramsSchema, request.params);
    const body = parseInput(bodySchema, request.body);
    const session = request.session!;
    const message = await feedback.findOwnedMessage(session.userId, id);
    if (message === null) throw new ParlorError("not_found", "No such message");
    if (message.role !== "assistant") throw new ParlorError("feedback_not_allowed", "Only the assistant's replies take feedback");
    const value = body.value === 0 ? null : body.value;
    const comment = value === null || body.comment === undefined || body.comment === "" ? null : body.comment;
    // The thread may have been deleted, or the message replaced, since the lookup.
    if (!(await feedback.set(message.id, value, comment))) throw new ParlorError("not_found", "No such message");

    const { onFeedback } = app;
    if (onFeedback) {
      const event = {
        message: { id: message.id, threadId: message.thread_id, content: message.content },
        value: body.value,
        comment,
        user: { id: session.userId, identifier: session.identifier, displayName: session.displayName },
      };
      // Not awaited: a slow analytics call must not hold the user's click.
      void Promise.resolve()
        .then(() => onFeedback(event))
        .catch((error: unknown) => request.log.error({ err: error }, "the app's onFeedback failed"));
    }
    return { messageId: message.id, feedback: toFeedback(value, comment) };
  });
}
