import type { AppOAuth } from "./oauth/oauth-types.js";

/*
 * What the app's login callbacks (`auth` in `defineApp`) receive and return: the contract
 * between Parlor's login routes and the app's code.
 */

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

/**
 * The verified claims of a host token (`POST /auth/token`): the embedding site's backend
 * minted them for its logged-in user. `iss` is the embedding id, `sub` the host's user id.
 */
export interface EmbedClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  iat: number;
  exp: number;
  jti: string;
  name?: string;
  email?: string;
  [claim: string]: unknown;
}

/**
 * What `auth.embed` returns: one of the app's own users. `method` names the login method
 * whose user this is (users are kept apart per method); it may be left out when the app has
 * a single login method.
 */
export interface EmbedAppUser extends AppUser {
  method?: "password" | "header" | `oauth:${string}`;
}

export interface AppAuth {
  /** Checks a username and password; `null` means "wrong", whatever the reason. */
  password?: (credentials: PasswordCredentials) => Promise<AppUser | null> | AppUser | null;
  /**
   * Logs in from headers set by a trusted reverse proxy. Only called for requests whose
   * peer address is in `trustedProxies`.
   */
  header?: (headers: RequestHeaders) => Promise<AppUser | null> | AppUser | null;
  /**
   * Login through OAuth 2 / OpenID Connect providers (GitHub, Google, Microsoft Entra ID,
   * GitLab, Okta, Auth0, Keycloak, Cognito, any OpenID provider). Providers can also be set
   * only in the environment (`PARLOR_OAUTH_<ID>_CLIENT_ID`, …); `oauth: {}` then enables them.
   *
   * @example
   * auth: { oauth: { providers: [{ type: "github" }, { type: "google" }] } }
   */
  oauth?: AppOAuth;
  /**
   * Maps a widget user (a verified host token) onto one of the app's own users, so a person
   * sees the same threads in the app and in the widget; `null` refuses them (401
   * `invalid_token`). Without it, widget users are `embed:<embed id>:<sub>`, apart from all others.
   */
  embed?: (claims: EmbedClaims, embedId: string) => Promise<EmbedAppUser | null> | EmbedAppUser | null;
}
