import { z } from "zod";
import { ParlorConfigError } from "../errors.js";
import type { ServerOptions } from "../config/server-options.js";

/** Who the app's login callbacks say the person is. */
export interface AppUser {
  /** Stable, unique name of the user in the app (username, e-mail, subject). */
  identifier: string;
  displayName?: string;
  /** Stored in the database with the user; never put in the session cookie. */
  metadata?: Record<string, unknown>;
}

export interface PasswordCredentials {
  username: string;
  password: string;
}

/** Request headers as Node gives them, lower-cased names. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

export interface AppAuth {
  /** Checks a username and password; `null` means "wrong", whatever the reason. */
  password?: (credentials: PasswordCredentials) => Promise<AppUser | null> | AppUser | null;
  /**
   * Logs in from headers set by a trusted reverse proxy. Only called for requests whose
   * peer address is in `trustedProxies`.
   */
  header?: (headers: RequestHeaders) => Promise<AppUser | null> | AppUser | null;
}

export interface AppDefinition {
  /** Shown in the UI; also part of the session cookie's name. */
  name: string;
  auth: AppAuth;
  /** Server settings the app ships with; environment variables override them. */
  server?: ServerOptions;
  /** Later issues give these their runtime; the types are reserved here. */
  onMessage?: (...args: never[]) => unknown;
}

/** An app after validation: frozen, safe to share. */
export type ParlorApp = Readonly<AppDefinition> & { readonly __parlorApp: true };

const callback = z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", "must be a function");

const appShape = z.object({
  name: z.string().trim().min(1, "name must not be empty").max(100),
  auth: z.object({
    password: callback.optional(),
    header: callback.optional(),
  }),
  server: z.record(z.string(), z.unknown()).optional(),
  onMessage: callback.optional(),
});

/**
 * Declares a Parlor app. Checks the definition at once so a mistake fails at start-up with
 * a clear message, not on the first request.
 *
 * @example
 * export default defineApp({
 *   name: "Echo",
 *   auth: { password: async ({ username, password }) => (password === "s3cret" ? { identifier: username } : null) },
 * });
 */
export function defineApp(definition: AppDefinition): ParlorApp {
  const result = appShape.safeParse(definition);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ParlorConfigError(`defineApp: ${issue?.path.join(".") || "app"}: ${issue?.message}`);
  }
  if (!definition.auth.password && !definition.auth.header) {
    throw new ParlorConfigError(
      "defineApp: auth needs at least one login method (auth.password or auth.header); Parlor has no anonymous mode",
    );
  }
  return Object.freeze({ ...definition, __parlorApp: true as const });
}

export function isParlorApp(value: unknown): value is ParlorApp {
  return typeof value === "object" && value !== null && (value as ParlorApp).__parlorApp === true;
}
