import type { OAuthProviderType } from "./oauth-provider-options.js";

const OIDC_SCOPES = ["openid", "email", "profile"] as const;

/**
 * How a preset finds its issuer:
 * - `required`: the deployer gives it (every tenant has its own);
 * - `fixed`: one issuer for everyone;
 * - `default`: a public default that a self-managed install replaces;
 * - `entra`: built from the tenant ID.
 */
export type IssuerRule = { kind: "required"; example: string } | { kind: "fixed"; url: string } | { kind: "default"; url: string } | { kind: "entra" };

/** Endpoints of a plain OAuth 2 provider, which has no discovery document. */
export interface OAuth2Endpoints {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

export interface OAuthPreset {
  /** Default label on the login button. */
  name: string;
  scopes: readonly string[];
  /** OpenID Connect (discovery, ID token, nonce) or plain OAuth 2 with a profile API. */
  protocol: { kind: "oidc"; issuer: IssuerRule } | { kind: "github"; endpoints: OAuth2Endpoints };
}

/**
 * Every provider type Parlor knows, in one table. All OpenID Connect presets use discovery
 * (`<issuer>/.well-known/openid-configuration`), so endpoints and signing keys are never
 * hard-coded; the table only says where the issuer comes from.
 */
export const oauthPresets: Readonly<Record<OAuthProviderType, OAuthPreset>> = {
  oidc: {
    name: "OpenID Connect",
    scopes: OIDC_SCOPES,
    protocol: { kind: "oidc", issuer: { kind: "required", example: "https://id.example.com" } },
  },
  github: {
    name: "GitHub",
    scopes: ["read:user", "user:email"],
    protocol: {
      kind: "github",
      endpoints: {
        issuer: "https://github.com/login/oauth",
        authorizationEndpoint: "https://github.com/login/oauth/authorize",
        tokenEndpoint: "https://github.com/login/oauth/access_token",
      },
    },
  },
  google: {
    name: "Google",
    scopes: OIDC_SCOPES,
    protocol: { kind: "oidc", issuer: { kind: "fixed", url: "https://accounts.google.com" } },
  },
  entra: {
    name: "Microsoft",
    scopes: OIDC_SCOPES,
    protocol: { kind: "oidc", issuer: { kind: "entra" } },
  },
  gitlab: {
    name: "GitLab",
    scopes: OIDC_SCOPES,
    protocol: { kind: "oidc", issuer: { kind: "default", url: "https://gitlab.com" } },
  },
  okta: {
    name: "Okta",
    scopes: OIDC_SCOPES,
    protocol: { kind: "oidc", issuer: { kind: "required", example: "https://dev-123456.okta.com/oauth2/default" } },
  },
  auth0: {
    name: "Auth0",
    scopes: OIDC_SCOPES,
    protocol: { kind: "oidc", issuer: { kind: "required", example: "https://your-tenant.eu.auth0.com/" } },
  },
  keycloak: {
    name: "Keycloak",
    scopes: OIDC_SCOPES,
    protocol: { kind: "oidc", issuer: { kind: "required", example: "https://sso.example.com/realms/your-realm" } },
  },
  cognito: {
    name: "Amazon Cognito",
    scopes: OIDC_SCOPES,
    protocol: {
      kind: "oidc",
      issuer: { kind: "required", example: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123" },
    },
  },
};

export const oauthProviderTypes = Object.keys(oauthPresets) as OAuthProviderType[];

/** Entra ID's issuer for a tenant. `common`/`organizations` have no fixed issuer and are refused. */
export function entraIssuer(tenant: string): string {
  return `https://login.microsoftonline.com/${tenant}/v2.0`;
}
