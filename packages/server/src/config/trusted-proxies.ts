import proxyAddr from "@fastify/proxy-addr";
import { ParlorConfigError } from "../errors.js";
import { rememberAnswers } from "./remember-answers.js";

/** Is this TCP peer address one of the configured proxies? */
export type IsTrustedPeer = (address: string | undefined) => boolean;

/**
 * Compiles `trustedProxies` (addresses, CIDR ranges, or `loopback`/`linklocal`/`uniquelocal`)
 * into a check on a socket's peer address, with `@fastify/proxy-addr` (what Fastify's own
 * `trustProxy` uses, so both agree on every address). An empty list trusts nobody. Throws
 * `ParlorConfigError` for an entry that is not an address or range. `resolveConfig` compiles
 * the list once (`config.isTrustedPeer`), so a bad entry fails at start-up and every check
 * shares one compiled list.
 */
export function trustedPeerCheck(trusted: readonly string[]): IsTrustedPeer {
  if (trusted.length === 0) return () => false;
  let trusts: (address: string, hop: number) => boolean;
  try {
    trusts = proxyAddr.compile([...trusted]);
  } catch (error) {
    throw new ParlorConfigError(`trustedProxies: ${(error as Error).message}`, { cause: error });
  }
  // Parsing an address costs about 5 µs; behind a proxy every request asks about the same one.
  return rememberAnswers((address) => trusts(address, 0));
}
