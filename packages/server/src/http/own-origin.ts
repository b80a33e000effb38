import type { IsTrustedPeer } from "../config/trusted-proxies.js";

type Headers = Record<string, string | string[] | undefined>;

/** The TCP connection a request came in on. */
export interface Peer {
  remoteAddress?: string | undefined;
  /** Set by Node on a TLS socket. */
  encrypted?: boolean;
}

/** The origin a request was addressed to: scheme and host, as the browser saw them. */
export type OwnOrigin = (headers: Headers, peer: Peer) => string;

/**
 * The app's own origin for one request, the same for HTTP (the CSRF hook) and the socket.io
 * handshake: scheme and host of the connection, or, when the TCP peer is a trusted proxy,
 * the last `X-Forwarded-Proto` and `X-Forwarded-Host` entries (the ones our proxy wrote).
 * This is exactly what Fastify's `request.protocol` and `request.host` give with
 * `trustProxy` set to the same list; engine.io's requests never pass through Fastify, so
 * the rule lives here for both. Forwarded headers from any other peer are ignored: a
 * client cannot name its own origin.
 */
export function ownOrigin(isTrustedPeer: IsTrustedPeer): OwnOrigin {
  return function ownOriginOf(headers, peer) {
    const trusted = (headers["x-forwarded-proto"] !== undefined || headers["x-forwarded-host"] !== undefined) && isTrustedPeer(peer.remoteAddress);
    const protocol = (trusted ? lastEntry(headers["x-forwarded-proto"]) : undefined) ?? (peer.encrypted === true ? "https" : "http");
    const host = (trusted ? lastEntry(headers["x-forwarded-host"]) : undefined) ?? first(headers.host) ?? "";
    return `${protocol}://${host}`;
  };
}

/** Each proxy appends to an `X-Forwarded-*` header: the last entry is the one our trusted proxy wrote. */
export function lastEntry(header: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(header) ? header.join(",") : header;
  const last = joined?.split(",").at(-1)?.trim();
  return last === "" ? undefined : last;
}

function first(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}
