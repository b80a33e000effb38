import { ParlorConfigError } from "../errors.js";
import type { OAuthProviderEnv } from "./env-options.js";
import { isLoopback } from "./loopback.js";
import { entraIssuer, oauthPresets, oauthProviderTypes, type IssuerRule, type OAuth2Endpoints } from "./oauth-presets.js";
import type { OAuthProviderConfig, OAuthProviderType } from "./oauth-provider-options.js";

/** A provider after the app's declaration and the environment are merged and checked. */
export interface ResolvedOAuthProvider {
  id: string;
  type: OAuthProviderType;
  name: string;
  clientId: string;
  clientSecret: string | undefined;
  scopes: readonly string[];
  protocol: { kind: "oidc"; issuer: URL } | { kind: "github"; endpoints: OAuth2Endpoints };
  /** Plain http is accepted only for an issuer on a loopback host (a local development IdP). */
  allowHttp: boolean;
}

/**
 * The login methods an app declares (its `auth` in `defineApp`), as far as resolving the
 * providers needs them: whether it has other ways in, and the providers it names.
 */
export interface DeclaredLogins {
  password?: unknown;
  header?: unknown;
  oauth?: { providers?: readonly OAuthProviderConfig[] | undefined } | undefined;
}

const PROVIDER_ID = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The OAuth providers of an app: those it declares in `auth.oauth.providers`, with the
 * environment's `PARLOR_OAUTH_<ID>_*` settings over them, plus providers that exist only in
 * the environment (any id with a `_CLIENT_ID`). Throws `ParlorConfigError` at start-up for
 * anything incomplete or unsafe, naming the setting.
 */
export function resolveOAuthProviders(auth: DeclaredLogins, fromEnv: Readonly<Record<string, OAuthProviderEnv>>): ResolvedOAuthProvider[] {
  const declared = new Map<string, OAuthProviderConfig>();
  for (const provider of auth.oauth?.providers ?? []) {
    const id = provider.id ?? provider.type;
    if (!PROVIDER_ID.test(id)) {
      throw new ParlorConfigError(`auth.oauth.providers: id "${id}" must be 1-32 lower-case letters, digits or '-'`);
    }
    if (declared.has(id)) throw new ParlorConfigError(`auth.oauth.providers: two providers have the id "${id}"`);
    declared.set(id, provider);
  }

  const resolved: ResolvedOAuthProvider[] = [];
  for (const [id, provider] of declared) resolved.push(resolveOne(id, provider, fromEnv[id] ?? {}));
  for (const [id, env] of Object.entries(fromEnv)) {
    if (declared.has(id)) continue;
    const variable = envName(id, "CLIENT_ID");
    if (!PROVIDER_ID.test(id)) throw new ParlorConfigError(`${variable}: the provider id "${id}" is not a valid id`);
    if (env.clientId === undefined) {
      throw new ParlorConfigError(`OAuth provider "${id}" is configured in the environment without ${variable}`);
    }
    const type = env.type ?? (isPresetType(id) ? id : "oidc");
    resolved.push(resolveOne(id, { type: checkType(type, envName(id, "TYPE")) }, env));
  }

  if (auth.oauth !== undefined && resolved.length === 0 && !auth.password && !auth.header) {
    throw new ParlorConfigError(
      "auth.oauth is the only login method but no provider is configured: declare auth.oauth.providers or set PARLOR_OAUTH_<ID>_CLIENT_ID",
    );
  }
  return resolved;
}

function resolveOne(id: string, declared: OAuthProviderConfig, env: OAuthProviderEnv): ResolvedOAuthProvider {
  const type = checkType(declared.type, `auth.oauth.providers[${id}].type`);
  if (env.type !== undefined && env.type !== type) {
    throw new ParlorConfigError(`${envName(id, "TYPE")} is "${env.type}" but the app declares provider "${id}" as "${type}"`);
  }
  const preset = oauthPresets[type];
  const setting = <K extends keyof OAuthProviderEnv & keyof OAuthProviderConfig>(key: K) => env[key] ?? declared[key];

  const clientId = setting("clientId");
  if (!clientId) throw new ParlorConfigError(`OAuth provider "${id}" needs a client id: set ${envName(id, "CLIENT_ID")}`);
  const name = setting("name") ?? (type === "oidc" ? id : preset.name);
  if (name.trim() === "" || name.length > 64) throw new ParlorConfigError(`OAuth provider "${id}": name must be 1-64 characters`);
  const scopes = setting("scopes") ?? preset.scopes;
  if (scopes.length === 0 || scopes.some((scope) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))) {
    throw new ParlorConfigError(`OAuth provider "${id}": scopes must be a non-empty list of scope names`);
  }

  const common = { id, type, name, clientId, clientSecret: setting("clientSecret") || undefined, scopes };
  if (preset.protocol.kind === "github") {
    return { ...common, protocol: { kind: "github", endpoints: preset.protocol.endpoints }, allowHttp: false };
  }
  if (!scopes.includes("openid")) {
    throw new ParlorConfigError(`OAuth provider "${id}": OpenID Connect needs the "openid" scope in its scopes`);
  }
  const issuer = checkIssuer(id, issuerFor(id, preset.protocol.issuer, setting("issuer"), setting("tenant")));
  return { ...common, protocol: { kind: "oidc", issuer }, allowHttp: issuer.protocol === "http:" };
}

function issuerFor(id: string, rule: IssuerRule, issuer: string | undefined, tenant: string | undefined): string {
  switch (rule.kind) {
    case "fixed":
      if (issuer !== undefined && issuer !== rule.url) {
        throw new ParlorConfigError(`OAuth provider "${id}": the issuer is always ${rule.url}; use type "oidc" for another one`);
      }
      return rule.url;
    case "default":
      return issuer ?? rule.url;
    case "required":
      if (issuer === undefined) {
        throw new ParlorConfigError(`OAuth provider "${id}" needs its issuer URL (e.g. ${rule.example}): set ${envName(id, "ISSUER")}`);
      }
      return issuer;
    case "entra":
      if (issuer !== undefined) return issuer;
      if (tenant === undefined || !GUID.test(tenant)) {
        // common/organizations/consumers and domain names have no fixed issuer to check ID tokens against.
        throw new ParlorConfigError(
          `OAuth provider "${id}" needs the directory (tenant) ID, a GUID: set ${envName(id, "TENANT")}` +
            (tenant === undefined ? "" : ` (got "${tenant}"; multi-tenant "common"/"organizations" and domain names are not supported)`),
        );
      }
      return entraIssuer(tenant.toLowerCase());
  }
}

function checkIssuer(id: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ParlorConfigError(`OAuth provider "${id}": issuer "${value}" is not a URL`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ParlorConfigError(`OAuth provider "${id}": the issuer must not have a query, fragment or credentials`);
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopback(url.hostname)) return url;
  throw new ParlorConfigError(`OAuth provider "${id}": the issuer must be https (plain http only on a loopback host), got ${url.origin}`);
}

function checkType(type: string, where: string): OAuthProviderType {
  if (!isPresetType(type)) throw new ParlorConfigError(`${where}: unknown provider type "${type}" (one of ${oauthProviderTypes.join(", ")})`);
  return type;
}

function isPresetType(value: string): value is OAuthProviderType {
  return Object.hasOwn(oauthPresets, value);
}

function envName(id: string, field: string): string {
  return `PARLOR_OAUTH_${id.toUpperCase().replaceAll("-", "_")}_${field}`;
}
