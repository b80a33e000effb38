/**
 * The shapes of the auth and session endpoints (`/auth/...`). The server declares its answers
 * with them and the clients parse into them. These are wire shapes only: the server's own
 * session records (times in milliseconds, the CSRF secret) stay inside the server.
 */

import type { StepsDisplay } from "./steps.js";

/** The user as every auth answer describes them. */
export interface ParlorUser {
  /** Parlor's id for the user (a UUID). */
  id: string;
  /** The app's stable name for the user (username, e-mail, subject). */
  identifier: string;
  displayName: string | null;
}

/** Which kind of client a session was opened for. */
export type SessionClient = "web" | "widget" | "api";

/** The session making the request, in `GET /auth/me`. */
export interface CurrentSession {
  id: string;
  client: SessionClient;
  /** The absolute end of the session, ISO 8601. */
  expiresAt: string;
}

/** One of the user's live sessions, in `GET /auth/sessions`. Times are ISO 8601. */
export interface SessionListEntry {
  id: string;
  client: SessionClient;
  /** `true` for the session that asked. */
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
  /** For `client: "widget"`: the id of the embedding the session was opened through. */
  embed?: string;
}

/** `GET /auth/sessions`, newest activity first. */
export interface SessionListResponse {
  sessions: SessionListEntry[];
}

/** An OAuth / OpenID Connect provider a login page offers (`GET /auth/oauth/:id` starts it). */
export interface OAuthProviderSummary {
  id: string;
  /** For the button: "GitHub", "Google", … */
  name: string;
}

/** The app as its users see it: on the login page, in the title and the sidebar. */
export interface AppFace {
  /** "Acme Assistant" */
  name: string;
  /** An image URL: `<prefix>/auth/logo?v=<hash>` (a file the server serves) or an `https:` URL. */
  logo?: string;
  /** `#rrggbb` or `#rgb`: the colour of buttons and links. */
  accentColor?: string;
}

/** `GET /auth/config`: which login methods the server offers, and the app's face. Needs no session. */
export interface AuthConfig {
  requireLogin: boolean;
  app: AppFace;
  /** The largest file `POST /api/files` accepts, in bytes: the UI states it. */
  maxUploadBytes: number;
  /** `POST /auth/login` is enabled. */
  password: boolean;
  /** `POST /auth/header` (trusted-header login behind a proxy) is enabled. */
  header: boolean;
  oauth: OAuthProviderSummary[];
  /** How the web UI shows the app's features (`defineApp({ ui })`). */
  ui: { steps: StepsDisplay };
}

/** The body of `POST /auth/login`, as JSON (or form-encoded). */
export interface PasswordLoginBody {
  username: string;
  password: string;
}

/**
 * The answer of `POST /auth/login` and `POST /auth/header` (which takes no body), with the
 * session cookie. `POST /auth/logout` takes no body and answers 204.
 */
export interface LoginResponse {
  user: ParlorUser;
  /** Sent back as `X-CSRF-Token` on unsafe requests; keep it in memory only. */
  csrfToken: string;
}

/** `GET /auth/me`: the session is alive (the cookie may have been renewed with it). */
export interface MeResponse {
  user: ParlorUser;
  session: CurrentSession;
  csrfToken: string;
}

/** `POST /auth/token`: a host token minted by the embedding site's backend (a JWT). */
export interface TokenExchangeBody {
  token: string;
}

/** `POST /auth/token` answers with a bearer access token, kept in memory by the iframe. */
export interface TokenExchangeResponse {
  /** Send as `Authorization: Bearer <accessToken>` and as socket.io `auth.token`. */
  accessToken: string;
  /** When the access token stops working, ISO 8601: get a fresh host token before. */
  expiresAt: string;
  user: ParlorUser;
}

/**
 * `GET /auth/cors-check` from an allowed origin (or with no `Origin`): the answer a page gets
 * when its origin may call the API. A refused origin gets 403 `origin_not_allowed` instead.
 * Readable from any origin (`Access-Control-Allow-Origin: *`, no credentials), so a client
 * whose request failed with a bare network error can ask why.
 */
export interface CorsCheckResponse {
  /** The `Origin` the request came with, `null` without one. */
  origin: string | null;
  allowed: true;
}
