import type { StarterPrompt } from "@parlor/protocol";
import { z } from "zod";
import { isStorableText, storableTextMessage } from "../http/input-schemas.js";

/** Who a welcome function writes for: the signed-in user. */
export interface WelcomeUser {
  id: string;
  identifier: string;
  displayName: string | null;
}

/** What the web UI shows around the chat (`defineApp({ ui })`). */
export interface AppUi {
  /**
   * Markdown shown in an empty chat, before the first message; or a function of the user
   * that returns it (called for each `GET /api/app`; an error in it is logged and no welcome
   * is shown).
   *
   * @example
   * welcome: (user) => `Hello **${user.displayName ?? user.identifier}**! Ask me about your orders.`
   */
  welcome?: string | ((user: WelcomeUser) => string | Promise<string>);
  /** Prompts shown in an empty chat; a click sends `message` as the user's first message. */
  starters?: StarterPrompt[];
}

/** Enough for a row of buttons; more would not fit an empty chat. */
export const MAX_STARTERS = 12;
/** The longest welcome text, in characters. */
export const MAX_WELCOME_LENGTH = 10_000;

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max).refine(isStorableText, storableTextMessage);

/**
 * The `ui` option of `defineApp`: one strict object, so a misspelt key fails at start-up.
 * Issue 13c adds `name`, `logo` and `accentColor` here, and 13a `steps`.
 */
export const appUiSchema = z
  .object({
    welcome: z
      .union([text(MAX_WELCOME_LENGTH), z.custom<(user: WelcomeUser) => unknown>((v) => typeof v === "function", "must be a string or a function")])
      .optional(),
    starters: z
      .array(z.object({ label: text(100), message: text(4000) }).strict())
      .max(MAX_STARTERS)
      .optional(),
  })
  .strict();
