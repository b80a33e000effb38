import proxyAddr from "@fastify/proxy-addr";
import { ParlorConfigError } from "../errors.js";

/**
 * Compiles `trustedProxies` (addresses, CIDR ranges, or `loopback`/`linklocal`/`uniquelocal`)
 * into a check on a socket's peer address. An empty list trusts nobody.
 */
export function trustedPeerCheck(trusted: readonly string[]): (address: string | undefined) => boolean {
  if (trusted.length === 0) return () => false;
  let trusts: (address: string, hop: number) => boolean;
  try {
    trusts = proxyAddr.compile([...trusted]);
  } catch (error) {
    throw new ParlorConfigError(`trustedProxies: ${(error as Error).message}`, { cause: error });
  }
  return (address) => address !== undefined && trusts(address, 0);
}
