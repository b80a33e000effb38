import type { HandshakeErrorCode } from "@parlor/protocol";
import type { ExtendedError } from "socket.io";
import type { NodeCounts } from "../limits/shared-limits.js";
import type { ParlorSocket } from "./socket-types.js";

export interface ConnectionLimitOptions {
  perSession: number;
  perUser: number;
  /** The user's sockets on the other nodes (limits/shared-limits.ts); alone, nothing more to count. */
  userSocketsAcrossNodes: NodeCounts;
}

/**
 * Caps the open sockets of one session and of one user in this process. Over a cap, the new
 * socket is refused (`rate_limited` in `err.data`) and the open ones are kept: disconnecting
 * the oldest instead would let two tabs over the cap knock each other off in a reconnect loop.
 *
 * A socket is counted from the moment this middleware lets it through, so handshakes that
 * race each other cannot all pass, and uncounted when its connection closes or it leaves.
 *
 * With several nodes the per-user cap holds over all of them: once this node's own counts
 * pass, the socket is counted in Redis too, atomically against the other nodes' counts. The
 * per-session cap stays per node: a session is one browser, and its user's cap bounds it.
 */
export function limitConnections({ perSession, perUser, userSocketsAcrossNodes }: ConnectionLimitOptions) {
  const bySession = new Map<string, number>();
  const byUser = new Map<string, number>();

  return function limitConnections(socket: ParlorSocket, next: (error?: ExtendedError) => void) {
    const { sessionId, userId } = socket.data.principal;
    // Closed while authenticating: it will never connect, and no close event is left to uncount it.
    if (socket.conn.readyState !== "open") return next(refuse("Connection closed"));
    if ((bySession.get(sessionId) ?? 0) >= perSession) return next(refuse("Too many open connections for this session"));
    if ((byUser.get(userId) ?? 0) >= perUser) return next(refuse("Too many open connections for this user"));

    increment(bySession, sessionId, 1);
    increment(byUser, userId, 1);
    const acrossNodes = userSocketsAcrossNodes.add(userId, perUser);
    let counted = true;
    const uncount = () => {
      if (!counted) return;
      counted = false;
      increment(bySession, sessionId, -1);
      increment(byUser, userId, -1);
      // Given back once it is known to have been taken (the answer may still be on its way).
      void acrossNodes.then((taken) => taken && userSocketsAcrossNodes.remove(userId));
    };
    // `disconnect` covers a socket that leaves an open connection; `close` one whose
    // connection drops before it is fully connected (it then never emits `disconnect`).
    socket.once("disconnect", uncount);
    socket.conn.once("close", uncount);
    void acrossNodes.then((taken) => {
      if (taken) return next();
      uncount();
      next(refuse("Too many open connections for this user"));
    });
  };
}

function increment(counts: Map<string, number>, key: string, by: number): void {
  const value = (counts.get(key) ?? 0) + by;
  if (value <= 0) counts.delete(key);
  else counts.set(key, value);
}

function refuse(message: string): ExtendedError {
  const error: ExtendedError = new Error(message);
  error.data = { code: "rate_limited" satisfies HandshakeErrorCode };
  return error;
}
