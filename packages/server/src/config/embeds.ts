import { ParlorConfigError } from "../errors.js";

type Env = Record<string, string | undefined>;

/** One embedding as the app or the caller declares it (`embeds` in `defineApp` or the server options). */
export interface EmbedOptions {
  /** Signs the host tokens (HS256); at least 32 characters. */
  secret: string;
  /** The sites that may frame the chat, exact origins (`https://shop.example`). */
  origins: readonly string[];
  /**
   * `"none"` (the default): the iframe runs on in-memory bearer tokens only, a reload exchanges
   * a new host token. `"partitioned"`: the token exchange also sets the session cookie as a
   * `Partitioned` (CHIPS) cookie, kept per top-level site, so a reload of the host page signs
   * in again without the host (docs/embed.md, section 7). Needs https (or loopback).
   */
  cookie?: EmbedCookieMode;
}

/** Whether an embedding's iframe keeps its session in a partitioned cookie. */
export type EmbedCookieMode = "none" | "partitioned";

/** An embedding after validation. */
export interface ResolvedEmbed {
  id: string;
  secret: string;
  origins: readonly string[];
  cookie: EmbedCookieMode;
}

/** One embedding's settings from the environment, before validation. */
export interface EmbedFromEnv {
  secret?: string;
  origins?: string[];
  cookie?: string;
  /** The variables that set them, named in error messages. */
  names: { secret?: string; origins?: string; cookie?: string };
}

/** Lower-case letters, digits and `-`, as OAuth provider ids: the id is part of user names (`embed:<id>:<sub>`). */
const EMBED_ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const MIN_SECRET_LENGTH = 32;
const ENV_PREFIX = "PARLOR_EMBED_";
const envFields = [
  ["_SECRET", "secret"],
  ["_ORIGINS", "origins"],
  ["_COOKIE", "cookie"],
] as const;
const COOKIE_MODES: readonly string[] = ["none", "partitioned"] satisfies EmbedCookieMode[];

/**
 * Reads `PARLOR_EMBED_<ID>_SECRET`, `PARLOR_EMBED_<ID>_ORIGINS` (comma-separated) and
 * `PARLOR_EMBED_<ID>_COOKIE` (`none` or `partitioned`) per
 * embedding id (`<ID>` lower-cased, `_` read as `-`, as for OAuth providers). Empty variables
 * are ignored; another `PARLOR_EMBED_*` name is refused, so a typo does not leave an embedding
 * half-configured.
 */
export function embedsFromEnv(env: Env): Record<string, EmbedFromEnv> {
  const embeds: Record<string, EmbedFromEnv> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined || value === "") continue;
    const rest = name.slice(ENV_PREFIX.length);
    const match = envFields.find(([suffix]) => rest.endsWith(suffix) && rest.length > suffix.length);
    const envId = match ? rest.slice(0, -match[0].length) : "";
    if (!match || !/^[A-Z0-9_]+$/.test(envId)) {
      throw new ParlorConfigError(`${name} is not an embedding setting: use PARLOR_EMBED_<ID>_SECRET, PARLOR_EMBED_<ID>_ORIGINS and PARLOR_EMBED_<ID>_COOKIE`);
    }
    const id = envId.toLowerCase().replaceAll("_", "-");
    const embed = (embeds[id] ??= { names: {} });
    if (match[1] === "secret") {
      embed.secret = value;
      embed.names.secret = name;
    } else if (match[1] === "cookie") {
      embed.cookie = value.trim();
      embed.names.cookie = name;
    } else {
      embed.origins = value
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean);
      embed.names.origins = name;
    }
  }
  return embeds;
}

/** What the partitioned cookie mode needs from the rest of the configuration. */
export interface EmbedCookieContext {
  /** Whether the session cookie can be `Secure` (https, or a loopback host). */
  secure: boolean;
  /** The public URL's origin, for the error message. */
  publicOrigin: string;
  /** The session cookie's configured SameSite. */
  sameSite: "lax" | "strict" | "none";
}

/**
 * The embeddings: the app's `embeds` with the environment over them, field by field, each
 * checked. Errors name the variable or option that holds the bad value.
 */
export function resolveEmbeds(declared: Readonly<Record<string, EmbedOptions>> | undefined, env: Env, context: EmbedCookieContext): ResolvedEmbed[] {
  const fromEnv = embedsFromEnv(env);
  const ids = new Set([...Object.keys(declared ?? {}), ...Object.keys(fromEnv)]);
  return [...ids].sort().map((id) => {
    const own = declared?.[id];
    const overrides = fromEnv[id];
    const secretName = overrides?.names.secret ?? `embeds.${id}.secret`;
    const originsName = overrides?.names.origins ?? `embeds.${id}.origins`;
    if (!EMBED_ID.test(id)) {
      throw new ParlorConfigError(
        `Embedding id "${id}" (${overrides ? secretName : `embeds.${id}`}) must be lower-case letters, digits and '-', up to 64 characters`,
      );
    }
    const secret = overrides?.secret ?? own?.secret;
    if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) {
      throw new ParlorConfigError(`${secretName} must be at least ${MIN_SECRET_LENGTH} characters (create one with \`openssl rand -base64 32\`)`);
    }
    const origins = overrides?.origins ?? own?.origins;
    if (!Array.isArray(origins) || origins.length === 0) {
      throw new ParlorConfigError(`${originsName} must list at least one origin, like https://shop.example`);
    }
    for (const origin of origins) checkOrigin(origin, originsName);
    const cookieName = overrides?.names.cookie ?? `embeds.${id}.cookie`;
    const cookie = overrides?.cookie ?? own?.cookie ?? "none";
    if (!COOKIE_MODES.includes(cookie)) throw new ParlorConfigError(`${cookieName} must be "none" or "partitioned", got "${cookie}"`);
    if (cookie === "partitioned") checkPartitionable(cookieName, context, origins);
    return { id, secret, origins: [...new Set(origins)], cookie: cookie as EmbedCookieMode };
  });
}

/**
 * A partitioned cookie must be `Secure` (browsers drop `Partitioned` without it, and
 * `SameSite=None` needs it too): refused on plain http off loopback rather than silently
 * never kept. And refused next to `session.sameSite: "none"`: then a browser that still allows
 * third-party cookies would send the iframe both the app's own cookie and the partitioned one,
 * under one name, and a session cookie present twice is refused (auth/cookies.ts, readCookie).
 * For the same reason, refused for a host on Parlor's own host or a parent or child domain of
 * it: such a host is the same site, its iframe is first-party, and its partition is the one the
 * app's own pages use. (Sibling subdomains are the same site too, but telling them apart needs
 * the Public Suffix List; docs/embed.md says not to.)
 */
function checkPartitionable(name: string, { secure, publicOrigin, sameSite }: EmbedCookieContext, origins: readonly string[]): void {
  if (!secure) {
    throw new ParlorConfigError(
      `${name} "partitioned" needs a Secure cookie, and ${publicOrigin} is plain http on a non-loopback host: serve Parlor over https (PARLOR_PUBLIC_URL=https://…) or use cookie "none"`,
    );
  }
  if (sameSite === "none") {
    throw new ParlorConfigError(`${name} "partitioned" cannot be combined with session.sameSite "none": the iframe would get two session cookies of one name`);
  }
  const own = new URL(publicOrigin).hostname;
  for (const origin of origins) {
    const host = new URL(origin).hostname;
    if (host === own || host.endsWith(`.${own}`) || own.endsWith(`.${host}`)) {
      throw new ParlorConfigError(
        `${name} "partitioned": ${origin} is the same site as ${publicOrigin}, where the iframe is no third party and its cookie would meet the app's own; use cookie "none" there`,
      );
    }
  }
}

/** An origin exactly as browsers send it: `scheme://host[:port]`, no path, no trailing slash. */
function checkOrigin(value: unknown, name: string): asserts value is string {
  const parsed = typeof value === "string" && URL.canParse(value) ? new URL(value) : null;
  if (parsed === null || !["http:", "https:"].includes(parsed.protocol) || parsed.origin !== value) {
    throw new ParlorConfigError(`${name}: "${String(value)}" is not an origin; write it as scheme://host[:port], like https://shop.example`);
  }
}
