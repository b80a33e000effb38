import { isJsonValue } from "@parlor/protocol";
import { z } from "zod";
import type { ActionDefinition, ActionOptions } from "../app/define-app.js";
import type { ActionRow } from "../data/action-store.js";
import { sortableId } from "../data/sortable-id.js";
import { isStorableText, storableTextMessage } from "../http/input-schemas.js";

/** Buttons per message: more would not fit under it anyway. */
export const MAX_ACTIONS_PER_MESSAGE = 20;
/** A payload is the app's own note to itself: an id, a few fields. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

const text = (max: number) => z.string().trim().min(1).max(max).refine(isStorableText, storableTextMessage);

const actionsSchema = z
  .array(
    z
      .object({
        name: text(64),
        label: text(100),
        payload: z
          .unknown()
          .optional()
          .refine((value) => value === undefined || isJsonValue(value), "must be JSON")
          .refine(
            (value) => value === undefined || !isJsonValue(value) || Buffer.byteLength(JSON.stringify(value)) <= MAX_PAYLOAD_BYTES,
            `must be at most ${MAX_PAYLOAD_BYTES} bytes of JSON`,
          ),
      })
      .strict(),
  )
  .min(1)
  .max(MAX_ACTIONS_PER_MESSAGE);
const optionsSchema = z.object({ once: z.boolean().optional() }).strict().optional();

/**
 * The rows of a message's new actions, each with a fresh id. A mistake in the app's
 * definitions is a `TypeError` naming the field, thrown before anything is stored.
 */
export function actionRows(messageId: string, actions: ActionDefinition[], options?: ActionOptions): ActionRow[] {
  const parsed = actionsSchema.safeParse(actions);
  const parsedOptions = optionsSchema.safeParse(options);
  if (!parsed.success || !parsedOptions.success) {
    const issue = (parsed.error ?? parsedOptions.error)?.issues[0];
    throw new TypeError(`actions: ${issue?.path.join(".") || "list"}: ${issue?.message ?? "invalid"}`);
  }
  const once = parsedOptions.data?.once === true ? 1 : 0;
  return parsed.data.map((action) => ({
    id: sortableId(),
    message_id: messageId,
    name: action.name,
    label: action.label,
    payload: JSON.stringify(action.payload ?? null),
    once,
    used_at: null,
  }));
}
