import { hash, verify } from "@node-rs/argon2";

/**
 * argon2id with the library's defaults (OWASP's recommended parameters), for apps that
 * keep their own user table. Parlor itself stores no passwords.
 *
 * @example
 * const stored = await hashPassword("correct horse battery staple");
 * await verifyPassword(stored, input); // true or false
 */
export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** `false` for a wrong password and for a malformed hash alike: no oracle for callers to leak. */
export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}
