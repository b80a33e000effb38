import type { IncomingMessage } from "node:http";
import proxyAddr from "@fastify/proxy-addr";
import { RateLimiterRes } from "rate-limiter-flexible";
import type { SharedLimits } from "../limits/shared-limits.js";
import type { IsTrustedPeer } from "../config/trusted-proxies.js";

/** `null` when the handshake may proceed; otherwise seconds until the client may try again. */
export type HandshakeRateCheck = (request: IncomingMessage) => Promise<number | null>;

/**
 * Counts engine.io handshakes per client IP over a one-minute window. The IP is the peer's
 * address, or the `X-Forwarded-For` entry a trusted proxy vouches for (as `request.ip` in
 * the HTTP API), so clients behind one proxy are not counted as one.
 * Counted in `limits`: this process, or Redis for every node with several.
 */
export function handshakeRateLimit(limits: SharedLimits, perMinute: number, isTrusted: IsTrustedPeer): HandshakeRateCheck {
  const limiter = limits.rate("handshake-ip", { points: perMinute, duration: 60 });
  const clientAddress = (request: IncomingMessage) => proxyAddr(request, (address) => isTrusted(address));

  return async function checkHandshakeRate(request) {
    try {
      await limiter.consume(clientAddress(request));
      return null;
    } catch (result) {
      if (result instanceof RateLimiterRes) return Math.max(1, Math.ceil(result.msBeforeNext / 1000));
      throw result;
    }
  };
}
