import { EMBED_MAX_TOKEN_LENGTH } from "@parlor/protocol";
import { decodeJwt, errors, jwtVerify, type JWTPayload } from "jose";
import { z } from "zod";
import type { ResolvedEmbed } from "../../config/embeds.js";
import { ParlorError } from "../../errors.js";
import type { EmbedClaims } from "../login-callbacks.js";

/** The longest a host token may live (`exp - iat`), seconds: it is minted for one exchange. */
export const MAX_HOST_TOKEN_LIFETIME = 300;
/** Clocks of the host's backend and of Parlor may differ by this much, seconds. */
export const HOST_TOKEN_CLOCK_TOLERANCE = 10;

/**
 * A host token refused: `401 invalid_token`. The message says which check failed, for the
 * host's developer; it never contains the token, a secret or a signature.
 */
export class HostTokenError extends ParlorError {
  constructor(message: string) {
    super("invalid_token", message);
  }
}

const claimsSchema = z.looseObject({
  sub: z.string().min(1).max(200),
  jti: z.string().min(1).max(255),
  iat: z.number().int(),
  exp: z.number().int(),
  name: z.string().max(255).optional(),
  email: z.string().max(320).optional(),
});

export interface VerifiedHostToken {
  embed: ResolvedEmbed;
  claims: EmbedClaims;
}

/**
 * Verifies a host token with `jose`: HS256 only (so never `none`), signed with the secret of
 * the embedding named by `iss` (read unverified to pick the key, then verified as the
 * issuer), `aud` = Parlor's public origin, `sub`, `iat`, `exp` and `jti` present, at most
 * `MAX_HOST_TOKEN_LIFETIME` seconds between `iat` and `exp`. Single use is the caller's part
 * (it needs the database).
 */
export async function verifyHostToken(
  token: string,
  embeds: ReadonlyMap<string, ResolvedEmbed & { key: Uint8Array }>,
  audience: string,
  nowMs: number,
): Promise<VerifiedHostToken> {
  if (token.length > EMBED_MAX_TOKEN_LENGTH) throw new HostTokenError(`The token is longer than ${EMBED_MAX_TOKEN_LENGTH} characters`);
  let unverified: JWTPayload;
  try {
    unverified = decodeJwt(token);
  } catch {
    throw new HostTokenError("The token is not a JWT");
  }
  const embed = typeof unverified.iss === "string" ? embeds.get(unverified.iss) : undefined;
  if (embed === undefined) throw new HostTokenError("The token's iss is not a configured embedding id");

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, embed.key, {
      algorithms: ["HS256"],
      issuer: embed.id,
      audience,
      requiredClaims: ["sub", "iat", "exp", "jti"],
      currentDate: new Date(nowMs),
      clockTolerance: HOST_TOKEN_CLOCK_TOLERANCE,
    }));
  } catch (error) {
    throw new HostTokenError(describeFailure(error, embed.id, audience));
  }
  const parsed = claimsSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HostTokenError(`The token's ${issue?.path.join(".") ?? "claims"} claim is invalid: ${issue?.message ?? "bad value"}`);
  }
  const { iat, exp } = parsed.data;
  if (exp - iat > MAX_HOST_TOKEN_LIFETIME) {
    throw new HostTokenError(`The token lives ${exp - iat} s (exp - iat); mint it for at most ${MAX_HOST_TOKEN_LIFETIME} s`);
  }
  if (iat * 1000 > nowMs + HOST_TOKEN_CLOCK_TOLERANCE * 1000) throw new HostTokenError("The token's iat is in the future");
  return { embed, claims: { ...parsed.data, iss: embed.id, aud: payload.aud! } };
}

/** What to tell the host's developer; jose's own messages name the claim and never a secret. */
function describeFailure(error: unknown, embedId: string, audience: string): string {
  if (error instanceof errors.JWTExpired) return "The token has expired";
  if (error instanceof errors.JOSEAlgNotAllowed) return "The token must be signed with HS256";
  if (error instanceof errors.JWSSignatureVerificationFailed) return `The signature does not verify with embedding "${embedId}"'s secret`;
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "aud") return `The token's aud must be ${audience}`;
    return `The token's ${error.claim} claim ${error.reason === "missing" ? "is missing" : "is invalid"}`;
  }
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) return "The token is not a valid JWT";
  return "The token could not be verified";
}
