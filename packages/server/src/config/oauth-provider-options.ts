/**
 * The kinds of provider Parlor knows. `oidc` is any OpenID Connect provider found by
 * discovery from its issuer URL; the others are presets with their issuer, scopes and
 * display name filled in (see `oauth-presets.ts`). `github` is plain OAuth 2 (no ID token): the
 * profile comes from the GitHub API.
 */
export type OAuthProviderType = "oidc" | "github" | "google" | "entra" | "gitlab" | "okta" | "auth0" | "keycloak" | "cognito";

/**
 * One login provider, as the app declares it in `auth.oauth.providers`. Every field except
 * `type` can also come from the environment (`PARLOR_OAUTH_<ID>_CLIENT_ID`, …), which wins.
 *
 * @example
 * { type: "github" } // client id and secret from PARLOR_OAUTH_GITHUB_CLIENT_ID / _CLIENT_SECRET
 * { type: "keycloak", id: "corp", name: "Corporate login", issuer: "https://sso.example.com/realms/staff" }
 */
export interface OAuthProviderConfig {
  type: OAuthProviderType;
  /**
   * In the URLs (`/auth/oauth/<id>`), the env var names and the default user identifier
   * (`<id>:<subject>`). Lower-case letters, digits and `-`, up to 32. Defaults to `type`.
   * Changing it later changes every user's identifier.
   */
  id?: string;
  /** The label on the login button. Defaults to the preset's name ("GitHub", "Google", …). */
  name?: string;
  clientId?: string;
  /** Omit for a public client (PKCE only). Better set from the environment than in code. */
  clientSecret?: string;
  /**
   * The issuer URL, exactly as the provider's discovery document spells it. Required for
   * `oidc`, `okta`, `auth0`, `keycloak` and `cognito`; optional for `gitlab` (self-managed;
   * default https://gitlab.com) and `entra` (instead of `tenant`).
   */
  issuer?: string;
  /** `entra` only: the directory (tenant) ID, a GUID. */
  tenant?: string;
  /** Replaces the preset's scopes (`openid email profile`; GitHub: `read:user user:email`). */
  scopes?: string[];
}
