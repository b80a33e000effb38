import type { OAuthProviderConfig, OAuthProviderType } from "../../config/oauth-provider-options.js";
import type { AppUser } from "../login-callbacks.js";

/** Which provider a login came through: passed to `auth.oauth.callback`. */
export interface OAuthProviderInfo {
  id: string;
  type: OAuthProviderType;
  name: string;
}

/** What the provider's token endpoint returned. Never sent to the browser. */
export interface OAuthTokens {
  accessToken: string;
  tokenType: string;
  refreshToken?: string;
  /** The raw ID token (OpenID Connect providers); already validated. */
  idToken?: string;
  scope?: string;
  expiresAt?: Date;
}

/**
 * Who the provider says the user is. For OpenID Connect: the validated ID token's claims
 * merged with the userinfo response. For GitHub: the `/user` API response.
 */
export interface OAuthProfile {
  /** The provider's stable subject identifier (GitHub: the numeric user id). */
  sub: string;
  name?: string;
  email?: string;
  /**
   * Whether the provider says it verified `email`. Absent when it does not say (Entra ID
   * never does): do not link accounts by an e-mail address that is not verified.
   */
  emailVerified?: boolean;
  /** Login name or preferred username, when the provider has one. */
  username?: string;
  picture?: string;
  /** Everything the provider sent, unchecked. */
  claims: Readonly<Record<string, unknown>>;
}

/**
 * Decides who an OAuth login is. Return a user (often `defaultUser`, maybe with metadata),
 * or `null` to refuse the login (the browser lands on `/login?error=oauth_rejected`).
 */
export type OAuthCallback = (
  provider: OAuthProviderInfo,
  tokens: OAuthTokens,
  profile: OAuthProfile,
  defaultUser: AppUser,
) => Promise<AppUser | null> | AppUser | null;

/** `auth.oauth` in `defineApp`. */
export interface AppOAuth {
  /** Providers declared in code. Providers set only in the environment are added to these. */
  providers?: OAuthProviderConfig[];
  /**
   * Default: every user the provider authenticates may log in, as
   * `{ identifier: "<provider id>:<sub>", displayName: name or e-mail }`.
   */
  callback?: OAuthCallback;
  /**
   * Keep the provider's access and refresh tokens (encrypted) with the session, in the
   * database, so the app can call the provider's API for the user. Off by default.
   * Tokens are never put in the cookie.
   */
  storeTokens?: boolean;
}

/** Where an OAuth login failed, as `?error=` on the redirect to `/login`. */
export type { OAuthErrorCode } from "@parlor/protocol";
