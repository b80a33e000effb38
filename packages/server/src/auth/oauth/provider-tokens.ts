import { CompactEncrypt, compactDecrypt } from "jose";
import type { ProviderTokenStore } from "../../data/provider-token-store.js";
import type { KeyRing } from "../../crypto/key-ring.js";
import type { OAuthTokens } from "./oauth-types.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Provider access and refresh tokens kept with a session (`auth.oauth.storeTokens`),
 * encrypted at rest: each is a JWE (`dir`, A256GCM) under a key derived for this purpose
 * only, and its protected header names the session and the provider, so a value copied to
 * another row does not decrypt as that row's. A database dump alone reveals no token.
 */
export class ProviderTokens {
  constructor(
    private readonly store: ProviderTokenStore,
    private readonly keys: KeyRing,
  ) {}

  async save(sessionId: string, provider: string, tokens: OAuthTokens, now: number): Promise<void> {
    await this.store.insert({
      session_id: sessionId,
      provider,
      access_token: await this.encrypt(tokens.accessToken, sessionId, provider),
      refresh_token: tokens.refreshToken === undefined ? null : await this.encrypt(tokens.refreshToken, sessionId, provider),
      expires_at: tokens.expiresAt?.getTime() ?? null,
      created_at: now,
    });
  }

  /** The session's tokens for the provider, or `null` (none stored, session revoked, or undecryptable). */
  async get(sessionId: string, provider: string): Promise<Pick<OAuthTokens, "accessToken" | "refreshToken" | "expiresAt"> | null> {
    const row = await this.store.find(sessionId, provider);
    if (row === null) return null;
    const accessToken = await this.decrypt(row.access_token, sessionId, provider);
    if (accessToken === null) return null;
    const refreshToken = row.refresh_token === null ? null : await this.decrypt(row.refresh_token, sessionId, provider);
    return {
      accessToken,
      ...(refreshToken === null ? {} : { refreshToken }),
      ...(row.expires_at === null ? {} : { expiresAt: new Date(row.expires_at) }),
    };
  }

  deleteForSessions(sessionIds: readonly string[]): Promise<void> {
    return this.store.deleteForSessions(sessionIds);
  }

  private encrypt(value: string, sessionId: string, provider: string): Promise<string> {
    return new CompactEncrypt(encoder.encode(value))
      .setProtectedHeader({ alg: "dir", enc: "A256GCM", kid: this.keys.current.kid, sid: sessionId, pid: provider })
      .encrypt(this.keys.current.key);
  }

  private async decrypt(value: string, sessionId: string, provider: string): Promise<string | null> {
    try {
      const { plaintext, protectedHeader } = await compactDecrypt(value, (header) => this.keys.keyFor(header.kid), {
        keyManagementAlgorithms: ["dir"],
        contentEncryptionAlgorithms: ["A256GCM"],
      });
      if (protectedHeader.sid !== sessionId || protectedHeader.pid !== provider) return null;
      return decoder.decode(plaintext);
    } catch {
      return null;
    }
  }
}
