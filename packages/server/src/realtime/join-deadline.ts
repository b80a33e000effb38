import type { ParlorIo } from "./socket-types.js";

/**
 * Frees an engine.io connection that has not joined within `timeoutMs`, at once.
 * socket.io's own `connectTimeout` closes such a connection politely, and on long-polling a
 * polite close waits for the client's next poll, up to 30 s more (engine.io's fixed close
 * timeout): a client that handshakes and then goes silent would hold its session that long.
 * Closing with `discard` drops it immediately. The listener goes first, so this timer fires
 * before socket.io's own one of the same length (a polite close cannot be made forceful later).
 */
interface EngineConnection {
  close(discard?: boolean): void;
  once(event: "close", listener: () => void): void;
}

export function closeConnectionsThatNeverJoin(io: ParlorIo, timeoutMs: number): void {
  const joined = new WeakSet<object>();
  io.on("connection", (socket) => void joined.add(socket.conn));
  io.engine.prependListener("connection", function startJoinDeadline(conn: EngineConnection) {
    const timer = setTimeout(() => {
      if (!joined.has(conn)) conn.close(true);
    }, timeoutMs);
    conn.once("close", () => clearTimeout(timer));
  });
}
