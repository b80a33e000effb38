import { randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import * as client from "openid-client";
import type { ResolvedOAuthProvider } from "../../config/oauth-providers.js";
import type { ParlorConfig } from "../../config/resolve-config.js";
import { deriveKeyRing } from "../../crypto/key-ring.js";
import type { Database } from "../../data/database.js";
import { ProviderTokenStore } from "../../data/provider-token-store.js";
import { ParlorError } from "../../errors.js";
import { FLOW_TTL_SECONDS, oauthFlowCookie, sessionCookie } from "../cookies.js";
import { finishLogin, InvalidAppUserError, LoginRefusedError } from "../finish-login.js";
import type { AppAuth, AppUser } from "../login-callbacks.js";
import type { SessionService } from "../session-service.js";
import { ConsumedFlows } from "./consumed-flows.js";
import { FlowCookieCodec, type OAuthFlow } from "./flow-cookie.js";
import { OAuthClient } from "./oauth-client.js";
import { OAuthFlowError } from "./oauth-flow-error.js";
import type { OAuthErrorCode, OAuthProviderInfo } from "./oauth-types.js";
import { ProviderTokens } from "./provider-tokens.js";
import { safeReturnPath } from "./safe-return-path.js";

export interface OAuthRoutesOptions {
  config: ParlorConfig;
  auth: AppAuth;
  providers: readonly ResolvedOAuthProvider[];
  sessions: SessionService;
  db: Database;
  clock: () => number;
}

interface ProviderParams {
  provider: string;
}

/**
 * `GET /auth/oauth/:provider` and `GET /auth/oauth/:provider/callback`: the authorization
 * code flow with state, PKCE (S256) and, for OpenID Connect, nonce. The flow's secrets ride
 * in an encrypted, HttpOnly, host-only cookie bound to one provider and one state; the
 * callback ends in a session made exactly like a password login's, or in a redirect to
 * `/login?error=<code>` with nothing created.
 */
export async function oauthRoutes(fastify: FastifyInstance, options: OAuthRoutesOptions) {
  const { config, auth, providers, sessions, clock } = options;
  if (providers.length === 0) return;

  // The routes are registered under the prefix (server/create-server.ts); the URLs the
  // browser and the provider are sent to carry it too.
  const base = config.basePath;
  const clients = new Map(
    providers.map((provider) => [provider.id, new OAuthClient(provider, `${config.publicUrl.origin}${base}/auth/oauth/${provider.id}/callback`, clock)]),
  );
  const flows = new FlowCookieCodec(deriveKeyRing(config, "oauth-flow"));
  const consumed = new ConsumedFlows(FLOW_TTL_SECONDS * 1000, clock);
  const flowCookie = oauthFlowCookie(config.cookie);
  const cookie = sessionCookie(config.cookie);
  const tokens = auth.oauth?.storeTokens ? new ProviderTokens(new ProviderTokenStore(options.db), deriveKeyRing(config, "oauth-tokens")) : null;
  // A revoked session's provider tokens are useless to keep: delete them with the revocation.
  if (tokens) {
    // Only on the node that revoked: the others hear of it (origin `elsewhere`) after the rows changed.
    const unsubscribe = sessions.onRevoke((ids, origin) => {
      if (origin !== "here") return;
      tokens.deleteForSessions(ids).catch((error: unknown) => fastify.log.error({ err: error }, "deleting provider tokens failed"));
    });
    fastify.addHook("onClose", async () => unsubscribe());
  }

  const clientFor = (id: string) => {
    const found = clients.get(id);
    if (!found) throw new ParlorError("not_found", "No such login provider");
    return found;
  };
  const loginError = (reply: FastifyReply, code: OAuthErrorCode) => redirect(reply, `${base}/login?error=${code}`);

  fastify.get<{ Params: ProviderParams; Querystring: Record<string, unknown> }>(
    "/auth/oauth/:provider",
    { config: { auth: "optional" } },
    async function startOAuth(request, reply) {
      const oauthClient = clientFor(request.params.provider);
      const flow: OAuthFlow = {
        id: randomBytes(16).toString("base64url"),
        provider: oauthClient.provider.id,
        state: client.randomState(),
        codeVerifier: client.randomPKCECodeVerifier(),
        ...(oauthClient.isOidc ? { nonce: client.randomNonce() } : {}),
        returnTo: safeReturnPath(request.query.returnTo, base),
      };
      let location: URL;
      try {
        location = await oauthClient.authorizationUrl(flow);
      } catch (error) {
        logFailure(request, oauthClient.provider.id, error);
        return loginError(reply, "oauth_failed");
      }
      flowCookie.set(reply, await flows.seal(flow, clock()), FLOW_TTL_SECONDS);
      return redirect(reply, location.href);
    },
  );

  fastify.get<{ Params: ProviderParams; Querystring: Record<string, unknown> }>(
    "/auth/oauth/:provider/callback",
    { config: { auth: "optional" } },
    async function finishOAuth(request, reply) {
      const oauthClient = clientFor(request.params.provider);
      const { provider } = oauthClient;
      // One flow cookie, one attempt: it is cleared whatever happens next.
      flowCookie.clear(reply);
      try {
        const flow = await checkFlow(request, provider.id);
        const error = request.query.error;
        if (error !== undefined) {
          const code = error === "access_denied" ? "oauth_denied" : "oauth_failed";
          // eslint-disable-next-line @typescript-eslint/no-base-to-string -- Fastify's query parser gives strings or arrays of strings, never objects
          throw new OAuthFlowError(code, `the provider answered with an error (${String(error).slice(0, 64)})`);
        }
        const callbackUrl = new URL(oauthClient.redirectUri);
        const query = request.url.indexOf("?");
        callbackUrl.search = query === -1 ? "" : request.url.slice(query);
        const result = await oauthClient.finish(callbackUrl, flow);

        const info: OAuthProviderInfo = { id: provider.id, type: provider.type, name: provider.name };
        const displayName = result.profile.name ?? result.profile.email;
        const defaultUser: AppUser = {
          identifier: `${provider.id}:${result.profile.sub}`,
          ...(displayName === undefined ? {} : { displayName: displayName.slice(0, 255) }),
        };
        const callback = auth.oauth?.callback;
        const appUser = callback ? await callback(info, result.tokens, result.profile, defaultUser) : defaultUser;

        // From here on, exactly a password login: the browser's old session goes, a new one comes.
        await finishLogin(request, reply, appUser, {
          sessions,
          cookie,
          // Kept apart from password and header users, and from other providers' users, whatever identifier the app returned.
          method: `oauth:${provider.id}`,
          ...(tokens ? { beforeCookie: (issued) => tokens.save(issued.principal.sessionId, provider.id, result.tokens, clock()) } : {}),
        }).catch((error: unknown) => {
          if (error instanceof LoginRefusedError) throw new OAuthFlowError("oauth_rejected", "the app's callback refused the user");
          if (error instanceof InvalidAppUserError) throw new OAuthFlowError("oauth_failed", error.message);
          throw error;
        });
        // returnTo is a path as the browser sees it, prefix included, and never outside it.
        return redirect(reply, safeReturnPath(flow.returnTo, base));
      } catch (error) {
        logFailure(request, provider.id, error);
        return loginError(reply, error instanceof OAuthFlowError ? error.code : "oauth_failed");
      }
    },
  );

  /**
   * The flow cookie must exist, decrypt, be unexpired, belong to this provider, carry the
   * state the provider sent back, and not have been used before.
   */
  async function checkFlow(request: FastifyRequest<{ Params: ProviderParams; Querystring: Record<string, unknown> }>, providerId: string) {
    const sealed = flowCookie.read(request.headers.cookie);
    if (sealed === null) throw new OAuthFlowError("oauth_state", "no flow cookie (expired, never set, or from another browser)");
    const flow = await flows.open(sealed, clock());
    if (flow === null) throw new OAuthFlowError("oauth_state", "the flow cookie is expired or invalid");
    if (flow.provider !== providerId) throw new OAuthFlowError("oauth_state", "the flow was started for another provider");
    const state = request.query.state;
    if (typeof state !== "string" || !sameSecret(state, flow.state)) {
      throw new OAuthFlowError("oauth_state", "the state does not match the flow cookie");
    }
    if (!consumed.claim(flow.id)) throw new OAuthFlowError("oauth_state", "the flow cookie was already used");
    return flow;
  }
}

function redirect(reply: FastifyReply, location: string) {
  return reply.header("cache-control", "no-store").redirect(location, 302);
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Logs why a login failed: codes and messages of the error chain, never tokens, codes or response bodies. */
function logFailure(request: FastifyRequest, provider: string, error: unknown): void {
  const expected = error instanceof OAuthFlowError && error.code !== "oauth_failed";
  const causes: string[] = [];
  for (let cause = error instanceof Error ? error.cause : undefined; cause instanceof Error && causes.length < 3; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    causes.push(`${cause.name}${typeof code === "string" ? ` ${code}` : ""}: ${cause.message}`);
  }
  const details = {
    provider,
    reason: error instanceof OAuthFlowError ? error.code : "oauth_failed",
    message: error instanceof Error ? error.message : String(error),
    ...(causes.length > 0 ? { causes } : {}),
  };
  if (expected) request.log.info(details, "OAuth login refused");
  else if (error instanceof OAuthFlowError) request.log.warn(details, "OAuth login failed");
  else request.log.error({ ...details, err: error }, "OAuth login failed unexpectedly");
}
