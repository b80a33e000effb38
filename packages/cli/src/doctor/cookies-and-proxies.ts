import { fail, ok, warn, type Check, type CheckResult } from "./check.js";

/**
 * The session cookie's attributes, and the reverse proxies whose X-Forwarded-* headers are
 * believed (PARLOR_TRUSTED_PROXIES): who may use header login, and whose address the login
 * rate limits count.
 */
export const cookiesAndProxiesCheck: Check = {
  name: "cookie, proxies",
  run({ app, config }) {
    const results: CheckResult[] = [];
    const { cookie, trustedProxies } = config;
    const attributes = `${cookie.name}: ${cookie.secure ? "Secure, " : ""}HttpOnly, SameSite=${cookie.sameSite}`;
    if (cookie.secure) results.push(ok(`session cookie ${attributes}`));
    else results.push((config.production ? fail : warn)(`session cookie ${attributes}, not Secure: serve over https (PARLOR_PUBLIC_URL=https://…)`));
    if (cookie.sameSite === "none") {
      results.push(warn("PARLOR_COOKIE_SAMESITE=none sends the session cookie with other sites' requests; embeddings do not need it (they use bearer tokens)"));
    }

    if (app.auth.header && trustedProxies.length === 0) {
      results.push(
        fail("the app logs in by trusted header (auth.header), but PARLOR_TRUSTED_PROXIES is empty: nobody can log in; set it to your proxy's address"),
      );
    } else if (trustedProxies.length === 0) {
      results.push(
        (config.production ? warn : ok)(
          "PARLOR_TRUSTED_PROXIES is empty: right when nothing is in front; behind a reverse proxy, set it to the proxy's address, or every client has the proxy's address and they share one login rate limit",
        ),
      );
    } else {
      results.push(ok(`PARLOR_TRUSTED_PROXIES: ${trustedProxies.join(", ")}`));
    }
    return results;
  },
};
