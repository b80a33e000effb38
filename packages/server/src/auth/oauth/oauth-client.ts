import * as client from "openid-client";
import { OAuthFlowError } from "./oauth-flow-error.js";
import type { OAuthProfile, OAuthTokens } from "./oauth-types.js";
import { githubProfile, oidcProfile } from "./provider-profile.js";
import type { ResolvedOAuthProvider } from "../../config/oauth-providers.js";

/** Seconds before a request to the provider gives up. */
const PROVIDER_TIMEOUT = 10;

export interface FlowChecks {
  state: string;
  codeVerifier: string;
  nonce?: string | undefined;
}

/**
 * One provider, spoken to through `openid-client`: the protocol (state, PKCE, nonce, ID
 * token signature via JWKS, issuer, audience, expiry, userinfo subject) is entirely that
 * library's.
 * Discovery happens on first use, not at start-up, so an unreachable provider does not stop
 * the server; a failed discovery is retried on the next login.
 */
export class OAuthClient {
  private configuration: Promise<client.Configuration> | undefined;
  readonly isOidc: boolean;

  constructor(
    readonly provider: ResolvedOAuthProvider,
    readonly redirectUri: string,
    private readonly clock: () => number,
  ) {
    this.isOidc = provider.protocol.kind === "oidc";
  }

  /** The URL to send the browser to: code flow with state, PKCE S256 and (OpenID Connect) nonce. */
  async authorizationUrl(checks: FlowChecks): Promise<URL> {
    const config = await this.config();
    return client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      response_type: "code",
      scope: this.provider.scopes.join(" "),
      state: checks.state,
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: "S256",
      ...(this.isOidc && checks.nonce !== undefined ? { nonce: checks.nonce } : {}),
    });
  }

  /**
   * Completes the flow from the callback URL: validates the authorization response,
   * exchanges the code with the PKCE verifier, validates the ID token, and reads the profile.
   * Throws `OAuthFlowError` (`oauth_denied` or `oauth_failed`) with the cause attached.
   */
  async finish(callbackUrl: URL, checks: FlowChecks): Promise<{ tokens: OAuthTokens; profile: OAuthProfile }> {
    const config = await this.config();
    let response: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      response = await client.authorizationCodeGrant(config, callbackUrl, {
        expectedState: checks.state,
        pkceCodeVerifier: checks.codeVerifier,
        ...(this.isOidc ? { expectedNonce: checks.nonce ?? "", idTokenExpected: true } : {}),
      });
    } catch (error) {
      if (error instanceof client.AuthorizationResponseError && error.error === "access_denied") {
        throw new OAuthFlowError("oauth_denied", "the user declined at the provider", { cause: error });
      }
      throw new OAuthFlowError("oauth_failed", "the authorization code exchange or the ID token was refused", { cause: error });
    }

    const expiresIn = response.expiresIn();
    const tokens: OAuthTokens = {
      accessToken: response.access_token,
      tokenType: response.token_type,
      ...(response.refresh_token === undefined ? {} : { refreshToken: response.refresh_token }),
      ...(response.id_token === undefined ? {} : { idToken: response.id_token }),
      ...(response.scope === undefined ? {} : { scope: response.scope }),
      ...(expiresIn === undefined ? {} : { expiresAt: new Date(this.clock() + expiresIn * 1000) }),
    };

    try {
      return { tokens, profile: await this.profile(config, response) };
    } catch (error) {
      throw new OAuthFlowError("oauth_failed", "the provider's profile of the user could not be read", { cause: error });
    }
  }

  private async profile(config: client.Configuration, response: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers): Promise<OAuthProfile> {
    if (!this.isOidc) return githubProfile(config, response.access_token);
    const claims = response.claims();
    if (claims === undefined) throw new Error("no ID token");
    let userinfo: Record<string, unknown> = {};
    if (config.serverMetadata().userinfo_endpoint !== undefined) {
      // openid-client checks that userinfo's `sub` is the ID token's.
      userinfo = await client.fetchUserInfo(config, response.access_token, claims.sub);
    }
    return oidcProfile(claims, userinfo);
  }

  private config(): Promise<client.Configuration> {
    this.configuration ??= this.discover().catch((error: unknown) => {
      this.configuration = undefined;
      throw new OAuthFlowError("oauth_failed", `provider "${this.provider.id}" could not be reached or configured`, { cause: error });
    });
    return this.configuration;
  }

  private async discover(): Promise<client.Configuration> {
    const { provider } = this;
    const secret = provider.clientSecret;
    const options = { execute: provider.allowHttp ? [client.allowInsecureRequests] : [], timeout: PROVIDER_TIMEOUT };
    if (provider.protocol.kind === "github") {
      const { endpoints } = provider.protocol;
      const config = new client.Configuration(
        { issuer: endpoints.issuer, authorization_endpoint: endpoints.authorizationEndpoint, token_endpoint: endpoints.tokenEndpoint },
        provider.clientId,
        secret,
        secret === undefined ? client.None() : client.ClientSecretPost(secret),
      );
      config.timeout = PROVIDER_TIMEOUT;
      return config;
    }
    const issuer = provider.protocol.issuer;
    // First a metadata-only discovery to learn how the client may authenticate, then the
    // configuration proper: client_secret_basic (the OAuth default, and what a registration
    // gets when it names no method) unless the provider says it only takes client_secret_post.
    const discovered = await client.discovery(issuer, provider.clientId, undefined, client.None(), options);
    const server = discovered.serverMetadata();
    const methods = server.token_endpoint_auth_methods_supported;
    const auth =
      secret === undefined
        ? client.None()
        : methods !== undefined && !methods.includes("client_secret_basic") && methods.includes("client_secret_post")
          ? client.ClientSecretPost(secret)
          : client.ClientSecretBasic(secret);
    const config = new client.Configuration(server, provider.clientId, secret, auth);
    for (const execute of options.execute) execute(config);
    // OpenID Connect lets a client skip the ID token's signature when it came straight from
    // the token endpoint over TLS; Parlor checks it anyway, against the provider's JWKS.
    client.enableNonRepudiationChecks(config);
    config.timeout = PROVIDER_TIMEOUT;
    return config;
  }
}
