import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ParlorConfigError } from "../errors.js";

const MIN_BYTES = 32;

/** A new secret: 32 random bytes, base64url. What `parlor create-secret` prints. */
export function createSecret(): string {
  return randomBytes(MIN_BYTES).toString("base64url");
}

/** Why a secret is too weak to sign sessions, or `null` when it is fine. */
export function secretWeakness(secret: string): string | null {
  if (Buffer.byteLength(secret) < MIN_BYTES) return `is shorter than ${MIN_BYTES} bytes`;
  if (new Set(secret).size < 10) return "repeats too few different characters";
  return null;
}

interface SecretInput {
  authSecret?: string | undefined;
  authSecretPrevious?: string | undefined;
  production: boolean;
  dataDir: string;
}

export interface ResolvedSecrets {
  /** Signs new tokens. */
  current: string;
  /** Still accepted when verifying, so a rotation logs nobody out. */
  previous: string | undefined;
  warnings: string[];
}

const HOW_TO_CREATE = "Create one with `parlor create-secret` (from @parlor/cli) and set PARLOR_AUTH_SECRET.";

/**
 * Picks the signing secrets. Production demands a strong PARLOR_AUTH_SECRET; development
 * falls back to one generated into the data folder, so restarts keep users logged in.
 */
export function resolveSecrets(input: SecretInput): ResolvedSecrets {
  const warnings: string[] = [];
  let current = input.authSecret;

  if (current === undefined) {
    if (input.production) {
      throw new ParlorConfigError(`PARLOR_AUTH_SECRET is not set; production needs a secret of at least ${MIN_BYTES} bytes. ${HOW_TO_CREATE}`);
    }
    current = readOrCreateDevelopmentSecret(input.dataDir);
    warnings.push(`No PARLOR_AUTH_SECRET set: using a development secret from ${join(input.dataDir, "auth-secret")}. Set one before deploying.`);
  }

  for (const [name, secret] of [
    ["PARLOR_AUTH_SECRET", current],
    ["PARLOR_AUTH_SECRET_PREVIOUS", input.authSecretPrevious],
  ] as const) {
    if (secret === undefined) continue;
    const weakness = secretWeakness(secret);
    if (weakness === null) continue;
    if (input.production) throw new ParlorConfigError(`${name} ${weakness}; production refuses to start with a weak secret. ${HOW_TO_CREATE}`);
    warnings.push(`${name} ${weakness}. This is accepted in development only.`);
  }

  return { current, previous: input.authSecretPrevious, warnings };
}

function readOrCreateDevelopmentSecret(dataDir: string): string {
  const file = join(dataDir, "auth-secret");
  try {
    const existing = readFileSync(file, "utf8").trim();
    if (existing) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = createSecret();
  // "wx" so two processes starting at once cannot overwrite each other's secret.
  try {
    writeFileSync(file, secret + "\n", { mode: 0o600, flag: "wx" });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readFileSync(file, "utf8").trim();
    throw error;
  }
}
