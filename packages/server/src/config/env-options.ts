import { ParlorConfigError } from "../errors.js";
import type { ServerOptions } from "./server-options.js";
import type { OAuthProviderConfig } from "./oauth-provider-options.js";

type Env = Record<string, string | undefined>;
type Parse = (value: string, name: string) => unknown;

const text: Parse = (value) => value;
const list: Parse = (value) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
const wholeNumber: Parse = (value, name) => {
  if (!/^\d+$/.test(value.trim())) throw new ParlorConfigError(`${name} must be a whole number, got "${value}"`);
  return Number(value);
};
const yesNo: Parse = (value, name) => {
  const lower = value.toLowerCase();
  if (["1", "true", "yes"].includes(lower)) return true;
  if (["0", "false", "no"].includes(lower)) return false;
  throw new ParlorConfigError(`${name} must be true or false, got "${value}"`);
};

/** Each environment variable, the option it sets (a path in `ServerOptions`) and how it is read. */
export const environmentVariables: ReadonlyArray<readonly [name: string, path: string, parse: Parse]> = [
  ["PORT", "port", wholeNumber],
  ["HOST", "host", text],
  ["PARLOR_PUBLIC_URL", "publicUrl", text],
  ["PARLOR_DATA_DIR", "dataDir", text],
  ["PARLOR_DATABASE_URL", "databaseUrl", text],
  ["PARLOR_DATABASE_POOL_SIZE", "database.poolSize", wholeNumber],
  ["PARLOR_DATABASE_CONNECT_TIMEOUT", "database.connectTimeout", wholeNumber],
  ["PARLOR_DATABASE_STARTUP_TIMEOUT", "database.startupTimeout", wholeNumber],
  ["PARLOR_REDIS_URL", "redis.url", text],
  ["PARLOR_REDIS_PREFIX", "redis.prefix", text],
  ["PARLOR_REDIS_STARTUP_TIMEOUT", "redis.startupTimeout", wholeNumber],
  ["PARLOR_AUTH_SECRET", "authSecret", text],
  ["PARLOR_AUTH_SECRET_PREVIOUS", "authSecretPrevious", text],
  ["NODE_ENV", "production", (value) => value === "production"],
  ["PARLOR_TRUSTED_PROXIES", "trustedProxies", list],
  ["PARLOR_ALLOWED_ORIGINS", "allowedOrigins", list],
  ["PARLOR_ALLOWED_HOSTS", "allowedHosts", list],
  ["PARLOR_APP_ID", "appId", text],
  ["PARLOR_SESSION_TOKEN_TTL", "session.tokenTtl", wholeNumber],
  ["PARLOR_SESSION_MAX_AGE", "session.maxAge", wholeNumber],
  ["PARLOR_SESSION_IDLE_TIMEOUT", "session.idleTimeout", wholeNumber],
  ["PARLOR_COOKIE_NAME", "session.cookieName", text],
  ["PARLOR_COOKIE_SAMESITE", "session.sameSite", (value) => value.toLowerCase()],
  ["PARLOR_CSRF_ALLOW_SAME_SITE", "csrf.allowSameSite", yesNo],
  ["PARLOR_LOGIN_RATE_LIMIT", "loginRateLimit.max", wholeNumber],
  ["PARLOR_LOGIN_RATE_LIMIT_WINDOW", "loginRateLimit.window", wholeNumber],
  ["PARLOR_LOGIN_SLOWDOWN_AFTER", "loginRateLimit.slowdownAfter", wholeNumber],
  ["PARLOR_LOGIN_MAX_DELAY", "loginRateLimit.maxDelay", wholeNumber],
  ["PARLOR_CHAT_MAX_MESSAGE_BYTES", "chat.maxMessageBytes", wholeNumber],
  ["PARLOR_CHAT_EVENTS_PER_SECOND", "chat.eventsPerSecond", wholeNumber],
  ["PARLOR_CHAT_EVENT_BURST", "chat.eventBurst", wholeNumber],
  ["PARLOR_CHAT_MAX_SOCKETS_PER_SESSION", "chat.maxSocketsPerSession", wholeNumber],
  ["PARLOR_CHAT_MAX_SOCKETS_PER_USER", "chat.maxSocketsPerUser", wholeNumber],
  ["PARLOR_REALTIME_HANDSHAKES_PER_MINUTE", "realtime.handshakesPerMinute", wholeNumber],
  ["PARLOR_REALTIME_CONNECT_TIMEOUT", "realtime.connectTimeout", wholeNumber],
  ["PARLOR_CHAT_MAX_RUNS_PER_USER", "chat.maxRunsPerUser", wholeNumber],
  ["PARLOR_CHAT_HEARTBEAT_INTERVAL", "chat.heartbeatInterval", wholeNumber],
  ["PARLOR_SHUTDOWN_GRACE", "shutdownGrace", wholeNumber],
  ["PARLOR_SHUTDOWN_READINESS_WINDOW", "shutdownReadinessWindow", wholeNumber],
  ["PARLOR_FILES_MAX_BYTES", "files.maxUploadBytes", wholeNumber],
  ["PARLOR_FILES_ACCEPT", "files.accept", list],
  ["PARLOR_FILES_SIGNED_URL_TTL", "files.signedUrlTtl", wholeNumber],
  ["PARLOR_FILES_ORPHAN_TTL", "files.orphanTtl", wholeNumber],
  ["PARLOR_FILES_UPLOADS_PER_MINUTE", "files.uploadsPerMinute", wholeNumber],
  ["PARLOR_FILES_MAX_UNATTACHED", "files.maxUnattached", wholeNumber],
  ["PARLOR_FILES_STORAGE", "files.storage", text],
  ["PARLOR_S3_BUCKET", "files.s3.bucket", text],
  ["PARLOR_S3_REGION", "files.s3.region", text],
  ["PARLOR_S3_ENDPOINT", "files.s3.endpoint", text],
  ["PARLOR_S3_FORCE_PATH_STYLE", "files.s3.forcePathStyle", yesNo],
  ["PARLOR_S3_PREFIX", "files.s3.prefix", text],
  ["PARLOR_HTTP_HEADERS_TIMEOUT", "http.headersTimeout", wholeNumber],
  ["PARLOR_HTTP_REQUEST_TIMEOUT", "http.requestTimeout", wholeNumber],
  ["PARLOR_HTTP_UPLOAD_TIMEOUT", "http.uploadTimeout", wholeNumber],
  ["PARLOR_HTTP_KEEP_ALIVE_TIMEOUT", "http.keepAliveTimeout", wholeNumber],
  ["PARLOR_WEB_ROOT", "webRoot", (value) => (value === "false" ? false : value)],
  ["PARLOR_LOG_LEVEL", "logLevel", text],
];

/**
 * Reads the environment into the shape of `ServerOptions`. Unset or empty variables leave
 * their field out, so the app's value or the default applies. Types are checked later, by
 * the options schema, together with the app's own options.
 */
export function optionsFromEnv(env: Env): ServerOptions {
  const options: Record<string, unknown> = {};
  for (const [name, path, parse] of environmentVariables) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    const keys = path.split(".");
    let target = options;
    for (const key of keys.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
    target[keys.at(-1)!] = parse(value, name);
  }
  return options;
}

/**
 * OAuth settings of one provider from `PARLOR_OAUTH_<ID>_*`, before validation: the fields of
 * `OAuthProviderConfig` (the id is in the variable's name), with `type` still any string.
 */
export type OAuthProviderEnv = Omit<OAuthProviderConfig, "type" | "id"> & { type?: string };

const OAUTH_PREFIX = "PARLOR_OAUTH_";
/** Longest suffix first, so `_CLIENT_SECRET` is never read as some `…_SECRET`. */
const oauthFields: ReadonlyArray<readonly [suffix: string, field: keyof OAuthProviderEnv]> = [
  ["_CLIENT_SECRET", "clientSecret"],
  ["_CLIENT_ID", "clientId"],
  ["_ISSUER", "issuer"],
  ["_TENANT", "tenant"],
  ["_SCOPES", "scopes"],
  ["_NAME", "name"],
  ["_TYPE", "type"],
];

/**
 * Reads `PARLOR_OAUTH_<ID>_<FIELD>` variables into settings per provider id (`<ID>`
 * lower-cased, `_` read as `-`: `PARLOR_OAUTH_MY_SSO_CLIENT_ID` is provider `my-sso`).
 * Empty variables are ignored; a `PARLOR_OAUTH_*` name with an unknown field is refused, so
 * a typo does not silently leave a provider half-configured.
 */
export function oauthProvidersFromEnv(env: Env): Record<string, OAuthProviderEnv> {
  const providers: Record<string, OAuthProviderEnv> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(OAUTH_PREFIX) || value === undefined || value === "") continue;
    const rest = name.slice(OAUTH_PREFIX.length);
    const match = oauthFields.find(([suffix]) => rest.endsWith(suffix) && rest.length > suffix.length);
    const envId = match ? rest.slice(0, -match[0].length) : "";
    if (!match || !/^[A-Z0-9_]+$/.test(envId)) {
      throw new ParlorConfigError(`${name} is not an OAuth setting: use PARLOR_OAUTH_<ID>_{CLIENT_ID,CLIENT_SECRET,ISSUER,TENANT,SCOPES,NAME,TYPE}`);
    }
    const id = envId.toLowerCase().replaceAll("_", "-");
    const field = match[1];
    const settings = (providers[id] ??= {});
    if (field === "scopes") settings.scopes = value.split(/[\s,]+/).filter(Boolean);
    else settings[field] = value.trim();
  }
  return providers;
}
