import * as client from "openid-client";
import { z } from "zod";
import type { OAuthProfile } from "./oauth-types.js";

/** A trimmed non-empty string claim, cut to `max`, or `undefined` for anything else. */
function text(value: unknown, max: number): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim().slice(0, max) : undefined;
}

const subject = z.string().min(1).max(255);

/**
 * The profile from a validated ID token's claims, with the userinfo response (whose `sub`
 * openid-client has checked against the ID token's) over them.
 */
export function oidcProfile(idTokenClaims: Record<string, unknown>, userinfo: Record<string, unknown> = {}): OAuthProfile {
  const claims: Record<string, unknown> = { ...idTokenClaims, ...userinfo, sub: idTokenClaims.sub };
  const username = text(claims.preferred_username, 255) ?? text(claims.nickname, 255);
  return withoutUndefined({
    sub: subject.parse(claims.sub),
    name: text(claims.name, 255) ?? username,
    email: text(claims.email, 320),
    emailVerified: typeof claims.email_verified === "boolean" ? claims.email_verified : undefined,
    username,
    picture: text(claims.picture, 2048),
    claims: Object.freeze(claims),
  });
}

const githubUser = z.looseObject({
  id: z.number().int().positive(),
  login: z.string().min(1).max(255),
});

const githubEmails = z.array(z.looseObject({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

const GITHUB_API = "https://api.github.com";

/**
 * GitHub has no ID token: the user comes from `GET /user` with the access token. The
 * subject is the numeric user id (a login name can be renamed and reused). The e-mail is
 * the primary verified address from `GET /user/emails` when the `user:email` scope allows;
 * the public profile e-mail is not known to be verified.
 */
export async function githubProfile(config: client.Configuration, accessToken: string): Promise<OAuthProfile> {
  const get = async (path: string): Promise<unknown> => {
    const headers = new Headers({ accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" });
    const response = await client.fetchProtectedResource(config, accessToken, new URL(path, GITHUB_API), "GET", undefined, headers);
    if (!response.ok) throw new Error(`GitHub API ${path} answered ${response.status}`);
    return response.json();
  };
  const user = githubUser.parse(await get("/user"));
  let email: string | undefined;
  let emailVerified: boolean | undefined;
  try {
    const primary = githubEmails.parse(await get("/user/emails")).find((entry) => entry.primary && entry.verified);
    if (primary) [email, emailVerified] = [primary.email, true];
  } catch {
    // No user:email scope (or the API refused): fall back to the public e-mail, unverified.
  }
  if (email === undefined) email = text(user.email, 320);
  return withoutUndefined({
    sub: String(user.id),
    name: text(user.name, 255) ?? user.login,
    email,
    emailVerified,
    username: user.login,
    picture: text(user.avatar_url, 2048),
    claims: Object.freeze({ ...user }),
  });
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
