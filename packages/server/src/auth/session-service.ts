import { randomBytes } from "node:crypto";
import type { ParlorConfig } from "../config/resolve-config.js";
import { CsrfTokens } from "../csrf/csrf-token.js";
import type { ClientKind, SessionRow, SessionStore } from "../data/session-store.js";
import type { User, UserInput, UserStore } from "../data/user-store.js";
import { RevocationSet } from "./revocation-set.js";
import { deriveKeyRing } from "../crypto/key-ring.js";
import { MAX_TOKEN_LENGTH, SessionTokenCodec, type SessionClaims } from "./session-token.js";
import { VerifiedTokenCache } from "./verified-token-cache.js";

/** Who is making a request, as far as the session says. Attached to `request.session`. */
export interface SessionPrincipal {
  sessionId: string;
  userId: string;
  identifier: string;
  displayName: string | null;
  client: ClientKind;
  /** Absolute end of the session (ms since the epoch). */
  expiresAt: number;
  csrfToken: string;
  /** The embedding a `widget` session was opened through. */
  embedId?: string;
}

export interface IssuedSession {
  principal: SessionPrincipal;
  token: string;
  /** How long the cookie should live: until idle timeout or the session's end, whichever is first. */
  cookieMaxAge: number;
}

/** A live session as the server lists it; `/auth/sessions` turns it into `SessionListEntry`s. */
export interface SessionRecord {
  id: string;
  client: ClientKind;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  userAgent: string | null;
  ip: string | null;
  embedId: string | null;
}

export interface SessionMeta {
  client: ClientKind;
  userAgent?: string | undefined;
  ip?: string | undefined;
  /**
   * For widget sessions (`POST /auth/token`): the embedding. Such a session lives as long as
   * its one bearer token, which cannot be renewed; the widget exchanges a fresh host token.
   * Except for a partitioned embedding's (`embeds.<id>.cookie: "partitioned"`): its session
   * is in a cookie, renewed and limited like a web session's.
   */
  embedId?: string | undefined;
}

/**
 * A token is authenticated as valid (maybe with a fresh token to set), or `null`.
 * Synchronous when the token is already in the verified cache: the hot path.
 */
export type AuthenticateResult = { principal: SessionPrincipal; renewed?: IssuedSession } | null;

/**
 * Where a revocation was made: on this node (`here`: its sockets on every node are to be
 * dropped), or heard of from another node or reloaded from the database (`elsewhere`: the
 * node that made it already reached every node it could; this one drops its own sockets).
 */
export type RevocationOrigin = "here" | "elsewhere";

export interface SessionServiceDeps {
  config: ParlorConfig;
  users: UserStore;
  sessions: SessionStore;
  clock?: () => number;
}

const CACHE_ENTRIES = 10_000;

/**
 * The session policy: login creates a row and a short-lived JWT; requests are checked
 * against the JWT and the revocation set only; past half its life (or expired) a token is
 * renewed from the row, which enforces revocation, idle and absolute limits.
 */
export class SessionService {
  readonly csrf: CsrfTokens;
  private readonly codec: SessionTokenCodec;
  private readonly revoked: RevocationSet;
  private readonly cache = new VerifiedTokenCache<{ principal: SessionPrincipal }>(CACHE_ENTRIES);
  private readonly renewing = new Map<string, Promise<IssuedSession | null>>();
  private readonly revokeListeners = new Set<(sessionIds: string[], origin: RevocationOrigin) => void>();
  /** Set while revocations from other nodes may be missed (Redis away): see `checkRowsOnEveryRequest`. */
  private checkingRows = false;
  private readonly clock: () => number;
  private readonly tokenTtlMs: number;
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly embedIds: ReadonlySet<string>;
  private readonly partitionedEmbedIds: ReadonlySet<string>;

  constructor(private readonly deps: SessionServiceDeps) {
    const { session } = deps.config;
    this.clock = deps.clock ?? Date.now;
    this.tokenTtlMs = session.tokenTtl * 1000;
    this.idleMs = session.idleTimeout * 1000;
    this.maxAgeMs = session.maxAge * 1000;
    this.embedIds = new Set(deps.config.embeds.map((embed) => embed.id));
    this.partitionedEmbedIds = new Set(deps.config.embeds.filter((embed) => embed.cookie === "partitioned").map((embed) => embed.id));
    this.codec = new SessionTokenCodec(deriveKeyRing(deps.config, "session-jwt"), deps.config.appId);
    this.csrf = new CsrfTokens(deriveKeyRing(deps.config, "csrf"));
    this.revoked = new RevocationSet(this.tokenTtlMs, this.clock);
  }

  /**
   * Reloads recent revocations (those a token could still be valid for), so a restart, or a
   * node back from a Redis outage, does not accept a token revoked meanwhile. Listeners hear
   * of the ones this node did not know, as made `elsewhere`.
   */
  async loadRevocations(): Promise<void> {
    this.revokedElsewhere(await this.deps.sessions.revokedSince(this.clock() - this.tokenTtlMs));
  }

  /** Revocations made by another node (its message on Redis): effective here at once. */
  revokedElsewhere(sessionIds: readonly string[]): void {
    const learned = sessionIds.filter((id) => !this.revoked.has(id));
    for (const id of learned) this.revoked.add(id);
    if (learned.length > 0) for (const listener of this.revokeListeners) listener(learned, "elsewhere");
  }

  /**
   * While `on`, the fast path is not trusted alone: every request and socket event also reads
   * its session row (correct, one query slower). For a node that may be missing other nodes'
   * revocations, because its link to Redis is down.
   */
  checkRowsOnEveryRequest(on: boolean): void {
    this.checkingRows = on;
  }

  /**
   * Ends the sessions of embeddings that are no longer configured (at start-up: removing an
   * embedding's config ends its sessions). Returns how many it ended.
   */
  async endRemovedEmbeds(): Promise<number> {
    const ids = await this.deps.sessions.revokeRemovedEmbeds([...this.embedIds], this.clock());
    for (const id of ids) this.revoked.add(id);
    return ids.length;
  }

  /** Logs a user in: upserts the user, creates a new session row (new id on every login). */
  async start(userInput: UserInput, meta: SessionMeta): Promise<{ user: User } & IssuedSession> {
    const now = this.clock();
    const user = await this.deps.users.upsert(userInput, now);
    const row: SessionRow = {
      id: randomBytes(32).toString("base64url"),
      user_id: user.id,
      client: meta.client,
      created_at: now,
      last_seen_at: now,
      expires_at: now + (meta.embedId === undefined || this.partitionedEmbedIds.has(meta.embedId) ? this.maxAgeMs : this.tokenTtlMs),
      revoked_at: null,
      user_agent: meta.userAgent?.slice(0, 512) ?? null,
      ip: meta.ip ?? null,
      embed_id: meta.embedId ?? null,
    };
    await this.deps.sessions.insert(row);
    const claims = {
      sub: user.id,
      sid: row.id,
      idn: user.identifier,
      ...(user.displayName ? { name: user.displayName } : {}),
      cl: meta.client,
      sxp: Math.floor(row.expires_at / 1000),
      ...(meta.embedId === undefined ? {} : { emb: meta.embedId }),
    };
    return { user, ...(await this.issue(claims, row, now)) };
  }

  /**
   * `renew: false` is for bearer tokens, which the server cannot replace: they stay valid
   * until `exp` and then stop, while cookies are renewed from the session row.
   */
  authenticate(token: string, { renew = true }: { renew?: boolean } = {}): AuthenticateResult | Promise<AuthenticateResult> {
    if (token.length > MAX_TOKEN_LENGTH) return null;
    const hit = this.cache.get(token, this.clock());
    if (hit !== undefined) {
      if (this.revoked.has(hit.principal.sessionId)) return null;
      return this.checkingRows ? this.confirmWithRow(hit) : hit;
    }
    return this.authenticateSlow(token, renew);
  }

  /** The result stands if the session row is not revoked; a revoked row joins the set. */
  private async confirmWithRow<T extends { principal: SessionPrincipal }>(result: T): Promise<T | null> {
    return (await this.isRevokedInRow(result.principal.sessionId)) ? null : result;
  }

  private async isRevokedInRow(sessionId: string): Promise<boolean> {
    const row = await this.deps.sessions.findById(sessionId);
    // No row: deleted with its user, as good as revoked.
    if (row === null) return true;
    if (row.revoked_at === null) return false;
    // Revoked on another node while this one was not listening: its sockets here go too.
    this.revokedElsewhere([sessionId]);
    return true;
  }

  private async authenticateSlow(token: string, renew: boolean): Promise<AuthenticateResult> {
    const now = this.clock();
    const verified = await this.codec.verify(token, now);
    if (verified === null) return null;
    const { claims, expired } = verified;
    if (this.revoked.has(claims.sid)) return null;
    // The embedding was removed from the config: its sessions end (start-up revoked their rows too).
    if (claims.emb !== undefined && !this.embedIds.has(claims.emb)) return null;

    const expiresAt = claims.exp * 1000;
    const renewAt = (claims.iat * 1000 + expiresAt) / 2;
    if (!expired && (now < renewAt || !renew)) {
      const entry = { principal: this.principalFrom(claims) };
      this.cache.set(token, entry, renew ? renewAt : expiresAt);
      return this.checkingRows ? this.confirmWithRow(entry) : entry;
    }
    // A token unused for longer than the idle timeout cannot belong to a live session.
    if (!renew || now - expiresAt > this.idleMs) return null;
    const renewed = await this.renewOnce(claims, now);
    return renewed && { principal: renewed.principal, renewed };
  }

  /**
   * Whether a cookie may carry this session: any session but a widget session of an
   * embedding that is not (or no longer) partitioned, whose sessions live on bearer tokens
   * only. Turning the mode off thus ends cookie sign-in for that embedding at once.
   */
  cookieMayCarry(principal: SessionPrincipal): boolean {
    return principal.embedId === undefined || this.partitionedEmbedIds.has(principal.embedId);
  }

  /**
   * For long-lived connections, which re-check on every event what a request checks once.
   * Synchronous on the fast path; reads the row while `checkRowsOnEveryRequest` is on.
   */
  isRevoked(sessionId: string): boolean | Promise<boolean> {
    if (this.revoked.has(sessionId)) return true;
    return this.checkingRows ? this.isRevokedInRow(sessionId) : false;
  }

  /** Concurrent requests carrying the same old token share one renewal. */
  private renewOnce(claims: SessionClaims, now: number): Promise<IssuedSession | null> {
    let pending = this.renewing.get(claims.sid);
    if (pending === undefined) {
      pending = this.renew(claims, now).finally(() => this.renewing.delete(claims.sid));
      this.renewing.set(claims.sid, pending);
    }
    return pending;
  }

  private async renew(claims: SessionClaims, now: number): Promise<IssuedSession | null> {
    const row = await this.deps.sessions.findById(claims.sid);
    if (row === null || row.user_id !== claims.sub) return null;
    if (row.revoked_at !== null) {
      this.revoked.add(row.id);
      return null;
    }
    if (row.expires_at <= now || row.last_seen_at + this.idleMs <= now) return null;
    await this.deps.sessions.touch(row.id, now);
    const { iat: _iat, exp: _exp, ...rest } = claims;
    return this.issue({ ...rest, sub: claims.sub }, { ...row, last_seen_at: now }, now);
  }

  private async issue(claims: Omit<SessionClaims, "iat" | "exp">, row: SessionRow, now: number): Promise<IssuedSession> {
    const exp = Math.floor(Math.min(now + this.tokenTtlMs, row.expires_at) / 1000);
    const token = await this.codec.sign({ ...claims, exp }, now);
    const principal = this.principalFrom({ ...claims, iat: Math.floor(now / 1000), exp });
    this.cache.set(token, { principal }, (now + exp * 1000) / 2);
    const cookieMaxAge = Math.floor(Math.min(this.idleMs, row.expires_at - now) / 1000);
    return { principal, token, cookieMaxAge };
  }

  private principalFrom(claims: SessionClaims): SessionPrincipal {
    return {
      sessionId: claims.sid,
      userId: claims.sub,
      identifier: claims.idn,
      displayName: claims.name ?? null,
      client: claims.cl,
      expiresAt: claims.sxp * 1000,
      csrfToken: this.csrf.issue(claims.sid),
      ...(claims.emb === undefined ? {} : { embedId: claims.emb }),
    };
  }

  /** The user's usable sessions, newest activity first. */
  async list(userId: string): Promise<SessionRecord[]> {
    const rows = await this.deps.sessions.listActive(userId, this.clock(), this.idleMs);
    return rows.map((row) => ({
      id: row.id,
      client: row.client,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      expiresAt: row.expires_at,
      userAgent: row.user_agent,
      ip: row.ip,
      embedId: row.embed_id,
    }));
  }

  /**
   * Revokes one of the user's sessions, or all of them when `sessionId` is omitted.
   * Effective at once in this process; listeners (sockets, other nodes) hear about it.
   * Returns the ids revoked (empty when the id is not the user's or already revoked).
   */
  async revoke(userId: string, sessionId?: string): Promise<string[]> {
    const ids = await this.deps.sessions.revoke(userId, this.clock(), sessionId);
    for (const id of ids) this.revoked.add(id);
    if (ids.length > 0) for (const listener of this.revokeListeners) listener(ids, "here");
    return ids;
  }

  /** Called with the ids of sessions as they are revoked, and where. Returns an unsubscribe function. */
  onRevoke(listener: (sessionIds: string[], origin: RevocationOrigin) => void): () => void {
    this.revokeListeners.add(listener);
    return () => this.revokeListeners.delete(listener);
  }
}
