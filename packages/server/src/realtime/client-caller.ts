import type { ClientCaller } from "../chat/client-call.js";
import type { ParlorSocket } from "./socket-types.js";

/**
 * `chat.callClient`'s way to the widget socket a message came from: `client:call` with an
 * acknowledgement, bounded by the timeout, and ended at once when the socket closes (an ack
 * that can no longer come is not waited for).
 */
export function clientCaller(socket: ParlorSocket): ClientCaller {
  return (call, timeoutMs) =>
    new Promise((resolve) => {
      if (!socket.connected) return resolve("disconnected");
      const onDisconnect = () => resolve("disconnected");
      socket.once("disconnect", onDisconnect);
      socket.timeout(timeoutMs).emit("client:call", call, (error: Error | null, answer: unknown) => {
        socket.off("disconnect", onDisconnect);
        resolve(error ? "timeout" : { answer });
      });
    });
}
