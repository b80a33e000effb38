import { randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";

/**
 * argon2id with the library's defaults (OWASP's recommended parameters), for apps that
 * keep their own user table. Parlor itself stores no passwords.
 *
 * @example
 * const stored = await hashPassword("correct horse battery staple");
 * await verifyUserPassword(users.get(username), input); // true or false, same cost for unknown users
 */
export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/**
 * `false` for a wrong password and for a malformed hash alike: no oracle for callers to leak.
 * For a login, prefer `verifyUserPassword`, which also costs the same for unknown users.
 */
export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

/**
 * Checks a login against the user's stored hash, or, when there is no such user (`undefined`,
 * `null`) or the stored hash is malformed, against a dummy hash made with the same
 * parameters, and answers `false`. Either way exactly one argon2 verification runs, so an
 * unknown username answers as slowly as a known one: response times do not tell an attacker
 * which usernames exist.
 *
 * @example
 * password: async ({ username, password }) =>
 *   (await verifyUserPassword(users.get(username), password)) ? { identifier: username } : null,
 */
export async function verifyUserPassword(hashed: string | null | undefined, password: string): Promise<boolean> {
  if (typeof hashed === "string") {
    try {
      return await verify(hashed, password);
    } catch {
      // A malformed hash fails fast: fall through to the dummy so it costs the same.
    }
  }
  await verify(await dummyHash(), password).catch(() => false);
  return false;
}

let dummy: Promise<string> | undefined;

/** Made once per process (the first unknown user pays one extra hash), with hashPassword's parameters. */
function dummyHash(): Promise<string> {
  dummy ??= hash(randomBytes(32).toString("base64url"));
  return dummy;
}
