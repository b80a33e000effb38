import type { AppFace, AuthConfig, LoginResponse, MeResponse, ParlorUser, PasswordLoginBody } from "@parlor/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { AppAuth, AppUser } from "./login-callbacks.js";
import type { ParlorConfig } from "../config/resolve-config.js";
import { ParlorError } from "../errors.js";
import { isStorableText, storableTextMessage } from "../http/input-schemas.js";
import { parseInput } from "../http/parse-input.js";
import type { SharedLimits } from "../limits/shared-limits.js";
import { loginRateLimiter } from "./login-rate-limit.js";
import type { SessionPrincipal, SessionService } from "./session-service.js";
import { SessionCookies } from "./cookies.js";
import { finishLogin } from "./finish-login.js";

export interface AuthRoutesOptions {
  config: ParlorConfig;
  auth: AppAuth;
  /** How the web UI presents the app (`defineApp({ ui })`, defaults applied), for `/auth/config`. */
  ui: AuthConfig["ui"];
  sessions: SessionService;
  /** The configured OAuth providers, listed by `/auth/config` for the login page's buttons. */
  oauthProviders?: ReadonlyArray<{ id: string; name: string }>;
  limits: SharedLimits;
  /** The app's name, logo and colour, public so the login page can show them. */
  app: AppFace;
}

const credentialsSchema = z.object({
  username: z.string().trim().min(1, "username is required").max(255).refine(isStorableText, storableTextMessage),
  password: z.string().min(1, "password is required").max(1024),
}) satisfies z.ZodType<PasswordLoginBody>;

/** Login bodies are small: refuse anything bigger before parsing it. */
const LOGIN_BODY_LIMIT = 16 * 1024;

/** `/auth/config`, `/auth/login`, `/auth/header`, `/auth/me`, `/auth/logout`. */
export async function authRoutes(fastify: FastifyInstance, { config, auth, ui, sessions, oauthProviders = [], limits, app }: AuthRoutesOptions) {
  const limitLoginAttempt = loginRateLimiter(limits, "login", config.loginRateLimit);
  const { isTrustedPeer } = config;

  const cookies = new SessionCookies(config.cookie, config.embeds);

  /** Turns the app's answer into a session and the login response. */
  async function logIn(request: FastifyRequest, reply: FastifyReply, appUser: AppUser | null, method: "password" | "header"): Promise<LoginResponse> {
    const { user, principal } = await finishLogin(request, reply, appUser, { sessions, cookie: cookies.main, method });
    return {
      user: { id: user.id, identifier: user.identifier, displayName: user.displayName },
      csrfToken: principal.csrfToken,
    };
  }

  fastify.get("/auth/config", { config: { auth: "optional" } }, async (): Promise<AuthConfig> => ({
    requireLogin: true,
    app,
    maxUploadBytes: config.files.maxUploadBytes,
    password: auth.password !== undefined,
    header: auth.header !== undefined,
    oauth: oauthProviders.map(({ id, name }) => ({ id, name })),
    ui,
  }));

  fastify.post("/auth/login", { config: { auth: "optional", csrf: "pre-session" }, bodyLimit: LOGIN_BODY_LIMIT }, async function passwordLogin(request, reply) {
    const password = auth.password;
    if (!password) throw new ParlorError("not_found", "Password login is not enabled");
    const credentials = parseInput(credentialsSchema, request.body);
    const appUser = await limitLoginAttempt(request.ip, credentials.username, async () => password(credentials));
    return logIn(request, reply, appUser, "password");
  });

  fastify.post("/auth/header", { config: { auth: "optional", csrf: "pre-session" }, bodyLimit: LOGIN_BODY_LIMIT }, async function headerLogin(request, reply) {
    const header = auth.header;
    if (!header) throw new ParlorError("not_found", "Header login is not enabled");
    // The socket's peer, not request.ip: X-Forwarded-For is exactly what must not be trusted here.
    if (!isTrustedPeer(request.socket.remoteAddress)) {
      throw new ParlorError("forbidden", "Header login is only accepted from a trusted proxy");
    }
    return logIn(request, reply, await header(request.headers), "header");
  });

  // The authenticated fast path (bench/README.md, "Auth fast path"): synchronous (no promise
  // per request). The body depends only on the verified token, whose principal object the
  // session service caches (verified-token-cache.ts), so it is serialized once per token, with
  // the compiled serializer of the response schema, and sent as is afterwards.
  const meBodies = new WeakMap<SessionPrincipal, string>();
  fastify.get("/auth/me", { schema: { response: { 200: meResponseSchema } } }, function me(request, reply) {
    const session = request.session!;
    let body = meBodies.get(session);
    if (body === undefined) {
      body = reply.serialize({
        user: publicUser(session),
        session: { id: session.sessionId, client: session.client, expiresAt: new Date(session.expiresAt).toISOString() },
        csrfToken: session.csrfToken,
      } satisfies MeResponse) as string; // the schema's compiled serializer writes a string
      meBodies.set(session, body);
    }
    reply.type("application/json; charset=utf-8").send(body);
  });

  fastify.post("/auth/logout", async function logout(request, reply) {
    const session = request.session!;
    await sessions.revoke(session.userId, session.sessionId);
    cookies.of(session).clear(reply);
    return reply.status(204).send();
  });
}

const stringProperty = { type: "string" } as const;

/** The body of GET /auth/me, in the order it is written. */
const meResponseSchema = {
  type: "object",
  properties: {
    user: {
      type: "object",
      properties: { id: stringProperty, identifier: stringProperty, displayName: { type: ["string", "null"] } },
      required: ["id", "identifier", "displayName"],
    },
    session: {
      type: "object",
      properties: { id: stringProperty, client: stringProperty, expiresAt: stringProperty },
      required: ["id", "client", "expiresAt"],
    },
    csrfToken: stringProperty,
  },
  required: ["user", "session", "csrfToken"],
} as const;

function publicUser(session: SessionPrincipal): ParlorUser {
  return { id: session.userId, identifier: session.identifier, displayName: session.displayName };
}
