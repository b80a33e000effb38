import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { LoginMethod, User } from "../data/user-store.js";
import { ParlorError } from "../errors.js";
import type { ParlorCookie } from "./cookies.js";
import type { AppUser } from "./login-callbacks.js";
import type { IssuedSession, SessionService } from "./session-service.js";

/** What a login callback may return; checked because it is the app's code, not ours. */
const appUserSchema = z.object({
  identifier: z.string().trim().min(1).max(255),
  displayName: z.string().max(255).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/**
 * The app's callback said no (`null` or `undefined`). A 401 `invalid_credentials` as it is,
 * the same answer for an unknown user and a wrong password; the OAuth callback turns it
 * into its own redirect (`oauth_rejected`).
 */
export class LoginRefusedError extends ParlorError {
  constructor() {
    super("invalid_credentials", "Wrong username or password");
  }
}

/**
 * The app's callback returned something that is not a user: a bug in the app. Not a
 * `ParlorError`, so the client gets `500 internal` and the message goes to the log only.
 */
export class InvalidAppUserError extends Error {
  override readonly name = "InvalidAppUserError";
  readonly code = "invalid_app_user";
}

export interface FinishLoginOptions {
  sessions: SessionService;
  /** The session cookie (see `sessionCookie`). */
  cookie: ParlorCookie;
  /** How the user logged in: users are kept apart per method. */
  method: LoginMethod;
  /**
   * Runs once the new session exists and before its cookie is set (OAuth stores the
   * provider's tokens here). If it throws, the new session is revoked and no cookie is set.
   */
  beforeCookie?: (issued: IssuedSession & { user: User }) => Promise<void>;
}

/**
 * The end of every browser login (password, trusted header, OAuth), written once: refuse a
 * `null` user, check the shape of what the app returned, revoke the session this browser
 * already had (no two live sessions per cookie, and a planted session cannot survive a
 * login), start a new session with a new id, and set the session cookie.
 */
export async function finishLogin(
  request: FastifyRequest,
  reply: FastifyReply,
  appUser: AppUser | null | undefined,
  { sessions, cookie, method, beforeCookie }: FinishLoginOptions,
): Promise<IssuedSession & { user: User }> {
  if (appUser === null || appUser === undefined) throw new LoginRefusedError();
  const checked = appUserSchema.safeParse(appUser);
  if (!checked.success) {
    const callback = method.startsWith("oauth:") ? "auth.oauth" : `auth.${method}`;
    throw new InvalidAppUserError(`The app's ${callback} callback returned an invalid user: ${checked.error.issues[0]?.message}`);
  }
  if (request.session) await sessions.revoke(request.session.userId, request.session.sessionId);
  const issued = await sessions.start({ ...checked.data, method }, { client: "web", userAgent: request.headers["user-agent"], ip: request.ip });
  if (beforeCookie) {
    try {
      await beforeCookie(issued);
    } catch (error) {
      await sessions.revoke(issued.user.id, issued.principal.sessionId);
      throw error;
    }
  }
  cookie.set(reply, issued.token, issued.cookieMaxAge);
  return issued;
}
