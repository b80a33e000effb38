import type { AppInfo } from "@parlor/protocol";
import type { FastifyInstance } from "fastify";
import type { ParlorApp } from "./define-app.js";
import { ChatSettings } from "./chat-settings.js";

export interface AppRoutesOptions {
  app: ParlorApp;
}

/**
 * `GET /api/app`: the app's welcome text (for the signed-in user), starter prompts, chat
 * settings and profiles, as the web UI shows them in an empty chat. Authenticated like every
 * `/api/` route (the server-wide hook): a welcome may greet the user by name.
 *
 * @example
 * await fastify.register(appRoutes, { app });
 * // GET /api/app → { welcome: "Hello **alice**", starters: [{ label, message }], settings: [...], profiles: [...] }
 */
export async function appRoutes(fastify: FastifyInstance, { app }: AppRoutesOptions) {
  const settings = new ChatSettings(app.settings).definitions;
  const starters = app.ui?.starters ?? [];
  const profiles = app.profiles ?? [];
  const welcome = app.ui?.welcome;

  fastify.get("/api/app", async function getAppInfo(request): Promise<AppInfo> {
    const { userId, identifier, displayName } = request.session!;
    let text: string | null = null;
    if (typeof welcome === "string") {
      text = welcome;
    } else if (welcome !== undefined) {
      try {
        const written: unknown = await welcome({ id: userId, identifier, displayName });
        text = typeof written === "string" && written.trim() !== "" ? written : null;
      } catch (error) {
        // The app's mistake: the chat opens without a welcome rather than not at all.
        request.log.error({ err: error }, "the app's ui.welcome failed");
      }
    }
    return { welcome: text, starters: [...starters], settings: [...settings], profiles: [...profiles] };
  });
}
