import type {
  AppFace,
  AuthConfig,
  CurrentSession,
  LoginResponse,
  MeResponse,
  ParlorUser,
  SessionClient,
  SessionListEntry,
  SessionListResponse,
  TokenExchangeResponse,
} from "@parlor/protocol";
import { array, isObject, nullableString, object, oneOf, string } from "./narrow.js";

/**
 * The answers of the `/auth/...` endpoints, read from `unknown` into their `@parlor/protocol`
 * shapes. A mismatch is a `ParlorApiError` with code `invalid_response` (see `narrow.ts`).
 */

/** `POST /auth/login` and `POST /auth/header`. */
export function loginResponse(value: unknown): LoginResponse {
  const body = object(value, "login");
  return { user: parlorUser(body.user), csrfToken: string(body.csrfToken, "csrfToken") };
}

/** `GET /auth/me`. */
export function meResponse(value: unknown): MeResponse {
  const body = object(value, "me");
  return { user: parlorUser(body.user), session: currentSession(body.session), csrfToken: string(body.csrfToken, "csrfToken") };
}

/** `POST /auth/token` (bearer mode). */
export function tokenExchangeResponse(value: unknown): TokenExchangeResponse {
  const body = object(value, "token");
  return { accessToken: string(body.accessToken, "accessToken"), expiresAt: string(body.expiresAt, "expiresAt"), user: parlorUser(body.user) };
}

/** `GET /auth/sessions`. */
export function sessionListResponse(value: unknown): SessionListResponse {
  const body = object(value, "sessions");
  return { sessions: array(body.sessions, "sessions").map(sessionListEntry) };
}

/**
 * `GET /auth/config`. Lenient on purpose: a missing flag means "off" (login stays required),
 * and a malformed provider entry is left out rather than hiding the login page.
 */
export function authConfig(value: unknown): AuthConfig {
  const config = object(value, "config");
  const oauth = config.oauth === undefined ? [] : array(config.oauth, "config.oauth");
  return {
    requireLogin: config.requireLogin !== false,
    app: appFace(config.app),
    // 0 when an older server does not say: the UI then states no limit.
    maxUploadBytes:
      typeof config.maxUploadBytes === "number" && Number.isFinite(config.maxUploadBytes) && config.maxUploadBytes > 0 ? config.maxUploadBytes : 0,
    password: config.password === true,
    header: config.header === true,
    oauth: oauth.filter(isObject).map((provider) => ({ id: string(provider.id, "oauth.id"), name: string(provider.name, "oauth.name") })),
    ui: { steps: isObject(config.ui) && (config.ui.steps === "expanded" || config.ui.steps === "hidden") ? config.ui.steps : "collapsed" },
  };
}

/** The app's face; an older server sends none, and its UI was called "Parlor". */
function appFace(value: unknown): AppFace {
  if (!isObject(value)) return { name: "Parlor" };
  const face: AppFace = { name: typeof value.name === "string" && value.name.trim() !== "" ? value.name : "Parlor" };
  if (typeof value.logo === "string" && value.logo !== "") face.logo = value.logo;
  if (typeof value.accentColor === "string" && /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(value.accentColor)) face.accentColor = value.accentColor;
  return face;
}

function parlorUser(value: unknown): ParlorUser {
  const user = object(value, "user");
  return {
    id: string(user.id, "user.id"),
    identifier: string(user.identifier, "user.identifier"),
    displayName: nullableString(user.displayName, "user.displayName"),
  };
}

const CLIENTS: readonly SessionClient[] = ["web", "widget", "api"];
const sessionClient = (value: unknown): SessionClient => oneOf(CLIENTS, value, "session.client");

function currentSession(value: unknown): CurrentSession {
  const session = object(value, "session");
  return {
    id: string(session.id, "session.id"),
    client: sessionClient(session.client),
    expiresAt: string(session.expiresAt, "session.expiresAt"),
  };
}

function sessionListEntry(value: unknown): SessionListEntry {
  const entry = object(value, "session");
  return {
    id: string(entry.id, "session.id"),
    client: sessionClient(entry.client),
    current: entry.current === true,
    createdAt: string(entry.createdAt, "session.createdAt"),
    lastSeenAt: string(entry.lastSeenAt, "session.lastSeenAt"),
    expiresAt: string(entry.expiresAt, "session.expiresAt"),
    userAgent: nullableString(entry.userAgent, "session.userAgent"),
    ip: nullableString(entry.ip, "session.ip"),
  };
}
