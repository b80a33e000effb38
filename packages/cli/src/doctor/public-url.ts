import { isLoopback } from "parlor";
import { fail, ok, warn, type Check } from "./check.js";

/**
 * The public URL decides the app's own origin (CSRF and Host checks), whether the session
 * cookie is Secure, and the cookie's name. In production it must be set, and https.
 */
export const publicUrlCheck: Check = {
  name: "public URL",
  run({ env, app, config }) {
    const url = config.publicUrl;
    const set = (env.PARLOR_PUBLIC_URL ?? app.server?.publicUrl) !== undefined;
    if (!set) {
      return [
        config.production
          ? fail(`PARLOR_PUBLIC_URL is not set: the app assumes ${url.origin}, and refuses requests for any other host; set it to the https URL users open`)
          : ok(`PARLOR_PUBLIC_URL is not set: ${url.origin} (fine in development; set it when deploying)`),
      ];
    }
    if (url.protocol === "https:") return [ok(`PARLOR_PUBLIC_URL is ${url.href}`)];
    if (isLoopback(url.hostname))
      return [
        config.production
          ? warn(`PARLOR_PUBLIC_URL is ${url.href}, a loopback address: only this machine can use the app`)
          : ok(`PARLOR_PUBLIC_URL is ${url.href}`),
      ];
    return [
      (config.production ? fail : warn)(
        `PARLOR_PUBLIC_URL is ${url.href}, plain http: the session cookie is not Secure and can be read on the network; serve over https and set PARLOR_PUBLIC_URL=https://…`,
      ),
    ];
  },
};
