import type { TokenExchangeBody, TokenExchangeResponse } from "@parlor/protocol";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { z } from "zod";
import type { ParlorConfig } from "../../config/resolve-config.js";
import type { EmbedTokenStore } from "../../data/embed-token-store.js";
import { parseInput } from "../../http/parse-input.js";
import type { AppAuth } from "../login-callbacks.js";
import type { SharedLimits } from "../../limits/shared-limits.js";
import { loginRateLimiter } from "../login-rate-limit.js";
import { SessionCookies } from "../cookies.js";
import type { SessionService } from "../session-service.js";
import { embedUserResolver } from "./embed-user.js";
import { HOST_TOKEN_CLOCK_TOLERANCE, HostTokenError, verifyHostToken } from "./host-token.js";

export interface TokenRoutesOptions {
  config: ParlorConfig;
  auth: AppAuth;
  sessions: SessionService;
  tokenUses: EmbedTokenStore;
  clock: () => number;
  limits: SharedLimits;
}

const bodySchema = z.object({ token: z.string().min(1, "token is required") }) satisfies z.ZodType<TokenExchangeBody>;

const BODY_LIMIT = 16 * 1024;
/** Used `jti`s past their token's expiry are deleted at most this often, off the request's path. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * `POST /auth/token`: the widget's iframe exchanges a host token for a bearer access token
 * (server README, "Embedding"). By default it sets and clears no cookie: the iframe is
 * third-party content on the host's page, where cookies are unreliable, and a bearer token is
 * no ambient credential. For an embedding with `cookie: "partitioned"` it also sets the
 * session cookie as a `Partitioned` (CHIPS) cookie, which browsers keep in that context
 * (docs/embed.md, section 7). Login's origin rule (`csrf: "pre-session"`) and rate limit apply.
 */
export async function tokenRoutes(fastify: FastifyInstance, { config, auth, sessions, tokenUses, clock, limits }: TokenRoutesOptions) {
  const embeds = new Map(config.embeds.map((embed) => [embed.id, { ...embed, key: new TextEncoder().encode(embed.secret) }]));
  const embedUser = embedUserResolver(
    auth,
    config.oauthProviders.map((provider) => provider.id),
  );
  const limitAttempt = loginRateLimiter(limits, "embed-token", config.loginRateLimit, { refundSuccess: true });
  const sweep = sweeper(tokenUses, clock, fastify.log);
  const cookies = new SessionCookies(config.cookie, config.embeds);

  fastify.post(
    "/auth/token",
    { config: { auth: "optional", csrf: "pre-session" }, bodyLimit: BODY_LIMIT },
    async function exchangeHostToken(request, reply): Promise<TokenExchangeResponse> {
      const { token } = parseInput(bodySchema, request.body);
      reply.header("cache-control", "no-store");
      sweep();
      // Failures count against the token's (unverified) embedding and subject, as a login's
      // count against its username: a flood of bad tokens slows that one user, not the site.
      const issued = await limitAttempt(request.ip, rateLimitKey(token), async () => {
        const now = clock();
        const { embed, claims } = await verifyHostToken(token, embeds, config.publicOrigin, now);
        // Before anything is created: a replayed token makes no user and no session.
        const firstUse = await tokenUses.claim(embed.id, claims.jti, (claims.exp + HOST_TOKEN_CLOCK_TOLERANCE) * 1000);
        if (!firstUse) throw new HostTokenError("The token was already used: mint a new one (jti is single-use)");
        const user = await embedUser(claims, embed.id);
        return sessions.start(user, { client: "widget", embedId: embed.id, userAgent: request.headers["user-agent"], ip: request.ip });
      });
      // The limiter passes what the attempt returns; a refusal was thrown above.
      const { user, principal, token: accessToken, cookieMaxAge } = issued!;
      if (embeds.get(principal.embedId!)?.cookie === "partitioned") cookies.of(principal).set(reply, accessToken, cookieMaxAge);
      return {
        accessToken,
        expiresAt: new Date(principal.expiresAt).toISOString(),
        user: { id: user.id, identifier: user.identifier, displayName: user.displayName },
      };
    },
  );
}

/** `embed:<iss>:<sub>` as the token claims them, or the whole token's tail when it is no JWT. */
function rateLimitKey(token: string): string {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { iss?: unknown; sub?: unknown };
    return `embed:${String(payload.iss)}:${String(payload.sub)}`;
  } catch {
    return "embed:not-a-jwt";
  }
}

function sweeper(tokenUses: EmbedTokenStore, clock: () => number, log: FastifyBaseLogger) {
  let last = 0;
  return () => {
    const now = clock();
    if (now - last < SWEEP_INTERVAL_MS) return;
    last = now;
    tokenUses.sweep(now).catch((error: unknown) => log.error({ err: error }, "could not sweep used host tokens"));
  };
}
