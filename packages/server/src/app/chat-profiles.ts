import type { ChatProfile } from "@parlor/protocol";
import { z } from "zod";
import { idSchema, isStorableText, storableTextMessage } from "../http/input-schemas.js";

const text = (max: number) => z.string().trim().max(max).refine(isStorableText, storableTextMessage);

/**
 * The `profiles` option of `defineApp`: ways of chatting a user picks when a chat starts
 * (a model, a persona), read in callbacks as `chat.profile` (the id). Ids are unique.
 */
export const chatProfilesSchema = z
  .array(z.object({ id: idSchema, name: text(100).min(1, "must not be empty"), description: text(1000) }).strict() satisfies z.ZodType<ChatProfile>)
  .max(50)
  .superRefine((profiles, context) => {
    const seen = new Set<string>();
    profiles.forEach((profile, index) => {
      if (seen.has(profile.id)) context.addIssue({ code: "custom", path: [index, "id"], message: `duplicate profile id "${profile.id}"` });
      seen.add(profile.id);
    });
  });
