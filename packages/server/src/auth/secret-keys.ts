import { createHash, createSecretKey, hkdfSync, type KeyObject } from "node:crypto";

/** What a derived key is for. One secret, a separate key per purpose (HKDF), so a value
 * signed for one purpose can never be replayed as another. */
export type KeyPurpose = "session-jwt" | "csrf" | "file-url" | "oauth-flow" | "oauth-tokens";

export interface DerivedKey {
  /** Names the secret in a JWT header, so verification picks the right key after rotation. */
  kid: string;
  key: KeyObject;
  bytes: Buffer;
}

/** The current key signs; every key in `all` (current first, then previous) verifies. */
export interface KeyRing {
  current: DerivedKey;
  all: readonly DerivedKey[];
  byKid: ReadonlyMap<string, DerivedKey>;
}

/** The secrets and the deployment they sign for (`ParlorConfig` has both). */
export interface KeySource {
  secrets: { current: string; previous?: string | undefined };
  appId: string;
}

export function deriveKeyRing({ secrets, appId }: KeySource, purpose: KeyPurpose): KeyRing {
  // The app's identity is part of every key, so two apps that share PARLOR_AUTH_SECRET still
  // have unrelated keys and refuse each other's tokens, CSRF tokens, file URLs and flows.
  // Hashed: HKDF's info is bounded, the app id is not.
  const info = `parlor/${purpose}/${createHash("sha256").update(appId).digest("base64url")}`;
  const all = [secrets.current, secrets.previous]
    .filter((secret): secret is string => secret !== undefined)
    .map((secret) => deriveKey(secret, info));
  return { current: all[0]!, all, byKid: new Map(all.map((key) => [key.kid, key])) };
}

function deriveKey(secret: string, info: string): DerivedKey {
  const bytes = Buffer.from(hkdfSync("sha256", secret, "parlor", info, 32));
  // A hash of the derived key, not of the secret: reveals nothing usable, stable across restarts.
  const kid = createHash("sha256").update(bytes).digest("base64url").slice(0, 12);
  return { kid, key: createSecretKey(bytes), bytes };
}
