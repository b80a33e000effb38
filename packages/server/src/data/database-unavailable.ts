import { ParlorError } from "../errors.js";

/** Seconds a client is told to wait (`Retry-After`) before trying again while the database is away. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * Socket errors that mean "no database at the other end right now". ENOTFOUND and EAI_AGAIN
 * are included because container DNS forgets a stopped database's name.
 */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/**
 * SQLSTATEs of a server that is going away, starting up or full: 57P01 admin_shutdown,
 * 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections. Class 08
 * (connection exception) is matched by its prefix.
 */
const SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);

/**
 * What pg says when a connection dies or never comes: its own errors carry no code, so
 * the message is all there is (pg 8: client.js and pg-pool).
 */
const PG_MESSAGES = [
  /^Connection terminated/, // "… unexpectedly", "… due to connection timeout"
  /^timeout exceeded when trying to connect$/, // pg-pool: no connection within connectionTimeoutMillis
  /is not queryable$/, // a client used after its connection failed or closed
];

/**
 * Whether an error means the database cannot be reached (down, restarting, unreachable,
 * or no free connection in time) rather than a bug or bad input. Such failures are
 * answered 503 `unavailable` and go away by themselves when the database is back.
 * Follows `cause` and AggregateError's `errors` (Node reports a refused connection to a
 * host with several addresses as one AggregateError).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (value: unknown): boolean => {
    if (!(value instanceof Error) || seen.has(value)) return false;
    seen.add(value);
    if (isConnectionFailure(value)) return true;
    if (value instanceof AggregateError && value.errors.some(visit)) return true;
    return visit(value.cause);
  };
  return visit(error);
}

function isConnectionFailure(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  return PG_MESSAGES.some((pattern) => pattern.test(error.message));
}

/**
 * A short reason for logs: the error's code (ECONNREFUSED) when it has one, else its
 * message. Never the error object itself: pg attaches the whole client to it.
 */
export function connectionFailureReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  // A SQLSTATE alone (57P01) says little to a deployer: keep PostgreSQL's words with it.
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && error.message) return `${error.message} (${code})`;
  if (typeof code === "string" && code !== "") return code;
  if (error instanceof AggregateError && error.errors.length > 0) return connectionFailureReason(error.errors[0]);
  return error.message || error.name;
}

/**
 * The response for a request that failed because the database is away. The message does
 * not say "database": the network codes above are also what other backends (S3) fail
 * with, and either way the client's remedy is the same, to retry later.
 */
export function databaseUnavailableError(cause: unknown): ParlorError {
  return new ParlorError("unavailable", "Temporarily unavailable. Try again shortly.", {
    cause,
    headers: { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) },
  });
}
