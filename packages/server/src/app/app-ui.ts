import type { StepsDisplay } from "@parlor/protocol";
import { z } from "zod";

/** `#rgb` or `#rrggbb`: the one accent colour form the web UI derives its palette from. */
const HEX_COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

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
  })
  .strict();

/** `defineApp({ ui })` as the app author writes it: every key optional. */
export type AppUiOptions = z.input<typeof appUiSchema>;

/** `ui` with its defaults applied: what the server and `/auth/config` use. */
export type AppUi = z.output<typeof appUiSchema>;

/** `ui` as the server uses it: validated by `defineApp` already, so this only fills in defaults. */
export function resolveAppUi(ui: AppUiOptions | undefined): AppUi {
  return Object.freeze(appUiSchema.parse(ui ?? {}));
}
