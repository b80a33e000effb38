import { createSecret } from "parlor";

/** `parlor create-secret`: prints a new PARLOR_AUTH_SECRET (32 random bytes, base64url). */
export async function createSecretCommand(): Promise<void> {
  process.stdout.write(createSecret() + "\n");
}
