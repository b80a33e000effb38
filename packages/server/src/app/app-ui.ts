import type { StepsDisplay } from "@parlor/protocol";
import { z } from "zod";

/** How the web UI presents the app (`defineApp({ ui })`). Every key is optional. */
export interface AppUiOptions {
  /** How the steps of a reply show: `collapsed` (default; a line such as "Used search" that opens), `expanded` or `hidden`. */
  steps?: StepsDisplay;
}

/** `ui` with its defaults applied: what `/auth/config` tells the web UI. */
export type AppUi = Required<AppUiOptions>;

/** The `ui` schema: strict, so a misspelt key fails at start-up. The defaults live here and only here. */
export const appUiSchema = z
  .object({
    steps: z.enum(["collapsed", "expanded", "hidden"]).default("collapsed"),
  })
  .strict();

/** `ui` as the server uses it: validated by `defineApp` already, so this only fills in defaults. */
export function resolveAppUi(ui: AppUiOptions | undefined): AppUi {
  return Object.freeze(appUiSchema.parse(ui ?? {}));
}
