import type { AuthState, ParlorUser, SessionListEntry } from "@parlor/client";
import { useParlorClient } from "./use-parlor-client.js";
import { useStore } from "./use-store.js";

export interface UseAuthResult extends AuthState {
  /** Password login. Rejects with `ParlorApiError` (`invalid_credentials`, `rate_limited`…), also put in `error`. */
  login(username: string, password: string): Promise<ParlorUser>;
  /** Trusted-header login behind an authenticating proxy (when `config.header` is on). */
  loginWithHeader(): Promise<ParlorUser>;
  /** Goes to the provider's login page (`/auth/oauth/:id?returnTo=<current path>`). */
  loginWithProvider(providerId: string): void;
  logout(): Promise<void>;
  refreshSessions(): Promise<readonly SessionListEntry[]>;
  /** Revokes one session; revoking the current one logs out. */
  revokeSession(sessionId: string): Promise<void>;
  /** Revokes every session of the user, this one included. */
  revokeAllSessions(): Promise<void>;
}

/**
 * The session: who is logged in, the login methods on offer, and the actions. Every
 * component sees the same state; a 401 anywhere turns it to logged-out.
 *
 * @example
 * function Account() {
 *   const { isReady, user, login, logout, error } = useAuth();
 *   if (!isReady) return null;
 *   if (!user) return <button onClick={() => login("alice", "secret").catch(() => {})}>Log in</button>;
 *   return <button onClick={() => logout()}>Log out {user.displayName ?? user.identifier}</button>;
 * }
 */
export function useAuth(): UseAuthResult {
  const { auth } = useParlorClient();
  const state = useStore(auth);
  return {
    ...state,
    login: auth.login,
    loginWithHeader: auth.loginWithHeader,
    loginWithProvider: auth.loginWithProvider,
    logout: auth.logout,
    refreshSessions: auth.refreshSessions,
    revokeSession: auth.revokeSession,
    revokeAllSessions: auth.revokeAllSessions,
  };
}
