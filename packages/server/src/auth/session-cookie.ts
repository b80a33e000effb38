import type { FastifyReply } from "fastify";
import type { CookieConfig } from "../config/resolve-config.js";

/**
 * The session token from the cookie, or `null`. A cookie that appears more than once is
 * refused rather than guessed at: a second copy can only come from cookie tossing or a
 * misconfiguration, and picking either would be a coin flip.
 */
export function readSessionCookie(header: string | undefined, name: string): string | null {
  if (header === undefined || !header.includes(name)) return null;
  let token: string | null = null;
  for (const part of header.split(";")) {
    const pair = part.trim();
    if (pair.length > name.length && pair[name.length] === "=" && pair.startsWith(name)) {
      if (token !== null) return null;
      token = pair.slice(name.length + 1);
    }
  }
  return token === "" ? null : token;
}

export function setSessionCookie(reply: FastifyReply, cookie: CookieConfig, token: string, maxAgeSeconds: number): void {
  reply.setCookie(cookie.name, token, {
    httpOnly: true,
    secure: cookie.secure,
    sameSite: cookie.sameSite,
    path: "/",
    maxAge: maxAgeSeconds,
  });
}

export function clearSessionCookie(reply: FastifyReply, cookie: CookieConfig): void {
  reply.clearCookie(cookie.name, { httpOnly: true, secure: cookie.secure, sameSite: cookie.sameSite, path: "/" });
}
