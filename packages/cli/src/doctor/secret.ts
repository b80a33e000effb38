import { secretWeakness } from "parlor";
import { fail, ok, warn, type Check, type CheckResult } from "./check.js";

/**
 * PARLOR_AUTH_SECRET signs every session: production refuses to start without a strong one
 * (at least 32 bytes, varied). Read from where `parlor run` reads it: the environment over
 * the app's `server.authSecret`.
 */
export const secretCheck: Check = {
  name: "secret",
  run({ env, app, config }) {
    const results: CheckResult[] = [];
    const secrets = [
      ["PARLOR_AUTH_SECRET", env.PARLOR_AUTH_SECRET ?? app.server?.authSecret],
      ["PARLOR_AUTH_SECRET_PREVIOUS", env.PARLOR_AUTH_SECRET_PREVIOUS ?? app.server?.authSecretPrevious],
    ] as const;
    for (const [name, secret] of secrets) {
      if (secret === undefined) continue;
      const weakness = secretWeakness(secret);
      if (weakness === null) results.push(ok(`${name} is set and strong`));
      else results.push((config.production ? fail : warn)(`${name} ${weakness}: replace it with the output of \`parlor create-secret\``));
    }
    if (secrets[0][1] === undefined) {
      results.unshift(
        config.production
          ? fail("PARLOR_AUTH_SECRET is not set; production refuses to start without it: set it to the output of `parlor create-secret`")
          : warn("PARLOR_AUTH_SECRET is not set: a development secret is generated into the data folder; set one before deploying (`parlor create-secret`)"),
      );
    }
    return results;
  },
};
