import type { StarterPrompt, StepsDisplay } from "@parlor/protocol";
import { z } from "zod";
import { isStorableText, storableTextMessage } from "../http/input-schemas.js";

/** Who a welcome function writes for: the signed-in user. */
export interface WelcomeUser {
  id: string;
  identifier: string;
  displayName: string | null;
}

/** `#rgb` or `#rrggbb`: the one accent colour form the web UI derives its palette from. */
const HEX_COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/** Enough for a row of buttons; more would not fit an empty chat. */
export const MAX_STARTERS = 12;
/** The longest welcome text, in characters. */
export const MAX_WELCOME_LENGTH = 10_000;

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max).refine(isStorableText, storableTextMessage);

/**
 * A logo: an `https:` URL (the CSP's `img-src` then allows its origin, and only that), or a
 * path to a local image file (absolute, or relative to the working directory), which the
 * server reads at start-up and serves itself at `<prefix>/auth/logo?v=<hash>`.
 */
const logoSchema = z
  .string()
  .trim()
  .min(1, "logo must not be empty")
  .max(2048)
  .refine((value) => !/^[a-z][a-z\d+.-]*:/i.test(value) || value.startsWith("https://") || value.startsWith("file:"), {
    message: "logo must be an https URL or a local file path",
  })
  .refine((value) => !value.startsWith("https://") || URL.canParse(value), { message: "logo is not a valid URL" });

/**
 * `defineApp({ ui })`: how the app looks in the web UI. One strict object, so a misspelt key
 * fails at start-up. The defaults live here and only here.
 */
export const appUiSchema = z
  .object({
    /** The name users see (title, sidebar, login page); the app's `name` when absent. */
    name: z.string().trim().min(1, "ui.name must not be empty").max(100).optional(),
    logo: logoSchema.optional(),
    /** The colour of buttons and links; text on it is black or white, whichever reads best. */
    accentColor: z.string().regex(HEX_COLOUR, "accentColor must be a hex colour such as #0f766e").optional(),
    /** How the steps of a reply show: `collapsed` (default; a line such as "Used search" that opens), `expanded` or `hidden`. */
    steps: z.enum(["collapsed", "expanded", "hidden"] satisfies StepsDisplay[]).default("collapsed"),
    /** Markdown shown in an empty chat, or a function of the user returning it. */
    welcome: z
      .union([text(MAX_WELCOME_LENGTH), z.custom<(user: WelcomeUser) => unknown>((v) => typeof v === "function", "must be a string or a function")])
      .optional(),
    /** Prompts shown in an empty chat; a click sends `message` as the user's first message. */
    starters: z
      .array(z.object({ label: text(100), message: text(4000) }).strict())
      .max(MAX_STARTERS)
      .optional(),
  })
  .strict();

/** `defineApp({ ui })` as the app author writes it: every key optional. */
export type AppUiOptions = Omit<z.input<typeof appUiSchema>, "welcome" | "starters"> & {
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
};

/** `ui` with its defaults applied: what the server and `/auth/config` use. */
export type AppUi = z.output<typeof appUiSchema> & Pick<AppUiOptions, "welcome">;

/** `ui` as the server uses it: validated by `defineApp` already, so this only fills in defaults. */
export function resolveAppUi(ui: AppUiOptions | undefined): AppUi {
  return Object.freeze(appUiSchema.parse(ui ?? {})) as AppUi;
}
