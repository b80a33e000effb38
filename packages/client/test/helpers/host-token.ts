import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";

export const EMBED_SECRET = "shop-embed-secret-0123456789-abcdefghij";
export const HOST_ORIGIN = "https://shop.example";

/**
 * A host token as an embedding site's backend mints it (server README, "Host tokens"): HS256,
 * issued by the embedding `shop`, for Parlor's origin, at `nowMs` (the test server's clock).
 */
export function mintHostToken(sub: string, audience: string, nowMs: number, secret = EMBED_SECRET): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ name: `Shopper ${sub}` })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer("shop")
    .setAudience(audience)
    .setSubject(sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 120)
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(secret));
}
