import { createHash, createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from "node:crypto";

/** What a derived key is for. One secret, a separate key per purpose (HKDF), so a value
 * signed for one purpose can never be replayed as another. */
export type KeyPurpose = "session-jwt" | "csrf" | "file-url" | "oauth-flow" | "oauth-tokens";

export interface DerivedKey {
  /** Names the secret in a JWT/JWE header, so verification picks the right key after rotation. */
  kid: string;
  key: KeyObject;
  bytes: Buffer;
}

/** The secrets and the deployment they sign for (`ParlorConfig` has both). */
export interface KeySource {
  secrets: { current: string; previous?: string | undefined };
  appId: string;
}

/** Length of an HMAC-SHA256 in base64url: a signature of any other length is refused unread. */
const SIGNATURE_LENGTH = 43;

/**
 * The keys of one purpose: the current key signs and encrypts; every key (current first, then
 * the previous secret's) verifies and decrypts, so a rotation keeps what was issued valid.
 * The one place that looks a key up by id and that checks an HMAC against every key.
 */
export class KeyRing {
  readonly all: readonly DerivedKey[];
  private readonly byKid: ReadonlyMap<string, DerivedKey>;

  constructor(keys: readonly DerivedKey[]) {
    if (keys.length === 0) throw new TypeError("a key ring needs at least one key");
    this.all = keys;
    this.byKid = new Map(keys.map((key) => [key.kid, key]));
  }

  get current(): DerivedKey {
    return this.all[0]!;
  }

  /**
   * The key named by a JWT/JWE `kid` header, for jose's key resolver. Throws for a missing or
   * unknown id: jose then refuses the token exactly like one with a bad signature.
   */
  keyFor = (kid: string | undefined): KeyObject => {
    const found = kid === undefined ? undefined : this.byKid.get(kid);
    if (!found) throw new Error("unknown key id");
    return found.key;
  };

  /** HMAC-SHA256 of `message` under the current key, base64url (43 characters). */
  sign(message: string): string {
    return hmac(this.current.bytes, message);
  }

  /**
   * Whether `signature` is the HMAC of `message` under any key of the ring. Constant time, and
   * every key is tried whatever the first answer, so the timing does not tell which key matched.
   */
  verify(message: string, signature: unknown): boolean {
    if (typeof signature !== "string" || signature.length !== SIGNATURE_LENGTH) return false;
    const given = Buffer.from(signature);
    let ok = false;
    for (const key of this.all) ok = timingSafeEqual(Buffer.from(hmac(key.bytes, message)), given) || ok;
    return ok;
  }
}

export function deriveKeyRing({ secrets, appId }: KeySource, purpose: KeyPurpose): KeyRing {
  // The app's identity is part of every key, so two apps that share PARLOR_AUTH_SECRET still
  // have unrelated keys and refuse each other's tokens, CSRF tokens, file URLs and flows.
  // Hashed: HKDF's info is bounded, the app id is not.
  const info = `parlor/${purpose}/${createHash("sha256").update(appId).digest("base64url")}`;
  return new KeyRing([secrets.current, secrets.previous].filter((secret): secret is string => secret !== undefined).map((secret) => deriveKey(secret, info)));
}

function deriveKey(secret: string, info: string): DerivedKey {
  const bytes = Buffer.from(hkdfSync("sha256", secret, "parlor", info, 32));
  // A hash of the derived key, not of the secret: reveals nothing usable, stable across restarts.
  const kid = createHash("sha256").update(bytes).digest("base64url").slice(0, 12);
  return { kid, key: createSecretKey(bytes), bytes };
}

function hmac(key: Buffer, message: string): string {
  return createHmac("sha256", key).update(message).digest("base64url");
}
