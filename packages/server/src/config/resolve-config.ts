import { createHash } from "node:crypto";
import { isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { ParlorConfigError } from "../errors.js";
import { resolveSecrets } from "./auth-secret.js";
import { resolveEmbeds, type EmbedOptions, type ResolvedEmbed } from "./embeds.js";
import { environmentVariables, oauthProvidersFromEnv, optionsFromEnv } from "./env-options.js";
import { basePathOf } from "./base-path.js";
import { isLoopback } from "./loopback.js";
import { resolveOAuthProviders, type DeclaredLogins, type ResolvedOAuthProvider } from "./oauth-providers.js";
import { sessionCookieName } from "./session-cookie-name.js";
import { serverOptionsSchema, type ParsedServerOptions, type ServerOptions } from "./server-options.js";
import { trustedPeerCheck, type IsTrustedPeer } from "./trusted-proxies.js";

/** The `database` option group: pool size and timeouts, in seconds. */
export type DatabaseOptions = ParsedServerOptions["database"];

export type DatabaseConfig = { dialect: "sqlite"; file: string } | ({ dialect: "postgres"; url: string } & DatabaseOptions);

/**
 * Redis, when several nodes serve the app: where it is, the prefix of Parlor's channels and
 * keys in it, and how long start-up waits for it. `null` for a single node.
 */
export interface RedisConfig {
  url: string;
  prefix: string;
  startupTimeout: number;
}

export interface CookieConfig {
  name: string;
  secure: boolean;
  sameSite: "lax" | "strict" | "none";
}

/** The server's whole configuration: validated once at start-up, then frozen. */
export interface ParlorConfig extends Omit<ParsedServerOptions, "authSecret" | "authSecretPrevious" | "publicUrl" | "database" | "appId" | "embeds" | "redis"> {
  appName: string;
  /** This deployment's identity in signed values: the `appId` option, or app name + public URL. */
  appId: string;
  publicUrl: URL;
  /**
   * The public URL's path without its trailing slash (`/chat` for `https://example.com/chat/`,
   * `""` at the root): every route, the socket.io path and the web UI live under it.
   */
  basePath: string;
  /** The app's own origin, always allowed for credentialed requests. */
  publicOrigin: string;
  /** Whether a peer address is one of `trustedProxies` (whose X-Forwarded-* headers count). */
  isTrustedPeer: IsTrustedPeer;
  dataDir: string;
  /** Where the data lives; for PostgreSQL with the `database` options (pool size, timeouts). */
  database: DatabaseConfig;
  /** Redis for several nodes (`PARLOR_REDIS_URL`), or `null`: one node, nothing shared. */
  redis: RedisConfig | null;
  cookie: CookieConfig;
  secrets: { current: string; previous: string | undefined };
  /** The OAuth providers: the app's `auth.oauth.providers` with `PARLOR_OAUTH_<ID>_*` over them, checked. */
  oauthProviders: readonly ResolvedOAuthProvider[];
  /** The embeddings (`widget.js` on other sites): the app's `embeds`, the server option, then `PARLOR_EMBED_<ID>_*`. */
  embeds: readonly ResolvedEmbed[];
  /** Things a deployer should hear about at start-up. */
  warnings: string[];
}

export interface ResolveConfigInput {
  appName: string;
  /** Options from the app's definition or the caller. */
  options?: ServerOptions | undefined;
  /**
   * The app's login methods (`auth` in `defineApp`), for its OAuth providers. Without it, only
   * providers from the environment are resolved.
   */
  auth?: DeclaredLogins | undefined;
  /** The app's `embeds` (`defineApp`); the `embeds` server option and the environment override them per id. */
  embeds?: Readonly<Record<string, EmbedOptions>> | undefined;
  /** Defaults to `process.env`; tests pass their own. */
  env?: Record<string, string | undefined>;
}

/**
 * Merges defaults, the app's options and the environment (which wins), validates the result
 * and derives what follows from it (cookie name and security, database, secrets, OAuth
 * providers). Every option is checked here, once, before anything starts: the rest of the
 * server takes the result as valid. Throws `ParlorConfigError` naming the bad setting.
 */
export function resolveConfig({ appName, options = {}, env = process.env, auth = {}, embeds }: ResolveConfigInput): ParlorConfig {
  const merged = mergeOptions<Record<string, unknown>>(options, optionsFromEnv(env));
  const parsed = serverOptionsSchema.safeParse(merged);
  if (!parsed.success) throw invalidOptions(parsed.error, env);
  const o = parsed.data;
  const warnings: string[] = [];

  const publicUrl = new URL(o.publicUrl ?? `http://localhost:${o.port}`);
  if (o.production && o.publicUrl === undefined) {
    // The default is right for a laptop only: a deployment serves another origin, whose
    // requests the CSRF and Host checks then refuse.
    warnings.push(
      `NODE_ENV=production without PARLOR_PUBLIC_URL: Parlor assumes it is served at ${publicUrl.origin}, so requests to any other host or from any other origin are refused (Host and CSRF checks). Set PARLOR_PUBLIC_URL to the URL users open, e.g. https://chat.example.com.`,
    );
  }
  const secure = publicUrl.protocol === "https:" || isLoopback(publicUrl.hostname);
  if (!secure) {
    warnings.push(
      `${publicUrl.origin} is plain http on a non-loopback host: the session cookie is NOT marked Secure and can be read on the network. Serve Parlor over https (set PARLOR_PUBLIC_URL=https://…).`,
    );
  }
  if (o.session.sameSite === "none" && !secure) {
    throw new ParlorConfigError("session.sameSite 'none' needs a Secure cookie: serve over https (PARLOR_PUBLIC_URL=https://…)");
  }
  if (o.session.tokenTtl > o.session.idleTimeout || o.session.idleTimeout > o.session.maxAge) {
    throw new ParlorConfigError("session lifetimes must satisfy tokenTtl ≤ idleTimeout ≤ maxAge");
  }

  if (o.files.storage === "s3" && !o.files.s3.bucket) {
    throw new ParlorConfigError("files.storage 's3' needs a bucket (PARLOR_S3_BUCKET)");
  }
  // Compiled once, here: a bad entry fails start-up, and every check uses this one.
  const isTrustedPeer = trustedPeerCheck(o.trustedProxies);
  const oauthProviders = resolveOAuthProviders(auth, oauthProvidersFromEnv(env));
  const resolvedEmbeds = resolveEmbeds({ ...embeds, ...o.embeds }, env, { secure, publicOrigin: publicUrl.origin, sameSite: o.session.sameSite });

  const dataDir = resolve(o.dataDir);
  const secrets = resolveSecrets({
    authSecret: o.authSecret,
    authSecretPrevious: o.authSecretPrevious,
    production: o.production,
    dataDir,
  });
  warnings.push(...secrets.warnings);

  const { authSecret: _s, authSecretPrevious: _p, publicUrl: _u, appId, embeds: _e, redis: _r, ...rest } = o;
  const resolvedAppId = appId ?? defaultAppId(appName, publicUrl);
  const database = databaseConfig(o.databaseUrl, dataDir, o.database);
  const redis = redisConfig(o, database, resolvedAppId, warnings);
  return deepFreeze({
    ...rest,
    appName,
    appId: resolvedAppId,
    publicUrl,
    basePath: basePathOf(publicUrl),
    publicOrigin: publicUrl.origin,
    isTrustedPeer,
    dataDir,
    ...(typeof o.webRoot === "string" ? { webRoot: resolve(o.webRoot) } : {}),
    database,
    redis,
    cookie: {
      name: sessionCookieName({ appName, publicUrl, configured: o.session.cookieName, secure }),
      secure,
      sameSite: o.session.sameSite,
    },
    secrets: { current: secrets.current, previous: secrets.previous },
    oauthProviders,
    embeds: resolvedEmbeds,
    warnings,
  });
}

/**
 * The same identity the cookie name is made from: two deployments differ in name, origin or
 * path, so a secret shared between them no longer makes their tokens interchangeable.
 */
function defaultAppId(appName: string, publicUrl: URL): string {
  return `${appName}@${publicUrl.origin}${publicUrl.pathname}`;
}

/**
 * Redis means several nodes. SQLite is one process's file: a second node would have its own
 * users, sessions and threads, so the combination is refused. Local file storage is only
 * warned about: it works when `dataDir/files` is one shared filesystem (NFS, a shared
 * volume), which Parlor cannot see from here; otherwise a file uploaded on one node is
 * missing on the others.
 */
function redisConfig(o: ParsedServerOptions, database: DatabaseConfig, appId: string, warnings: string[]): RedisConfig | null {
  const { url, prefix, startupTimeout } = o.redis;
  if (url === undefined) return null;
  if (database.dialect !== "postgres") {
    throw new ParlorConfigError(
      "PARLOR_REDIS_URL is set, which means several nodes, and several nodes need PostgreSQL: set PARLOR_DATABASE_URL=postgres://… (SQLite is a file of one process)",
    );
  }
  if (o.files.storage === "local") {
    warnings.push(
      "PARLOR_REDIS_URL is set (several nodes) with local file storage: every node must see the same files folder (a shared volume), or a file uploaded on one node is missing on the others. Use PARLOR_FILES_STORAGE=s3 otherwise.",
    );
  }
  // Nodes of one app share its id (they share its public URL); two apps on one Redis do not.
  const defaultPrefix = `parlor:${createHash("sha256").update(appId).digest("base64url").slice(0, 12)}:`;
  return { url, prefix: prefix ?? defaultPrefix, startupTimeout };
}

/**
 * Where the data lives, from `PARLOR_DATABASE_URL` / `PARLOR_DATA_DIR` and the
 * `PARLOR_DATABASE_*` pool settings alone: what `parlor migrate` needs, without an app or a secret.
 */
export function resolveDatabaseConfig(env: Record<string, string | undefined> = process.env): DatabaseConfig {
  const { databaseUrl, dataDir = ".parlor", database } = optionsFromEnv(env);
  const parsed = serverOptionsSchema.shape.database.safeParse(database);
  if (!parsed.success) throw invalidOptions(parsed.error, env, ["database"]);
  return databaseConfig(databaseUrl, resolve(dataDir), parsed.data);
}

function databaseConfig(url: string | undefined, dataDir: string, options: DatabaseOptions): DatabaseConfig {
  if (url === undefined) return { dialect: "sqlite", file: join(dataDir, "parlor.db") };
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: "postgres", url, ...options };
  if (url === ":memory:" || url === "sqlite::memory:") return { dialect: "sqlite", file: ":memory:" };
  if (url.startsWith("sqlite:")) {
    const file = url.slice("sqlite:".length).replace(/^\/\//, "");
    return { dialect: "sqlite", file: isAbsolute(file) ? file : resolve(file) };
  }
  throw new ParlorConfigError(`PARLOR_DATABASE_URL must start with postgres://, postgresql:// or sqlite:, got "${url.split(":")[0]}:…"`);
}

/**
 * What is wrong, one `<where>: <what>` per problem on one line. `<where>` names the environment
 * variable that set the bad value when there is one (the deployer fixes the variable; a path
 * like `database.poolSize` alone does not name it), and the option's path in `defineApp`.
 */
function invalidOptions(error: z.ZodError, env: Record<string, string | undefined>, pathPrefix: string[] = []): ParlorConfigError {
  const problems = error.issues.map((issue) => {
    const path = [...pathPrefix, ...issue.path.map(String)].join(".");
    const variable = environmentVariables.find(([name, optionPath]) => optionPath === path && env[name] !== undefined && env[name] !== "");
    return `${variable ? `${variable[0]} (${path})` : `server option ${path || "(root)"}`}: ${issue.message}`;
  });
  return new ParlorConfigError(`Invalid configuration: ${problems.join("; ")}`);
}

/** Deep merge: an environment variable overrides one setting, never a whole group of them. */
function mergeOptions<T extends Record<string, unknown>>(base: T, override: T): T {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const existing = out[key];
    out[key] = isPlainObject(existing) && isPlainObject(value) ? mergeOptions(existing, value) : value;
  }
  return out as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !(value instanceof URL) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
