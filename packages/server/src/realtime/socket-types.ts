import type { ClientToServerEvents, ServerToClientEvents } from "@parlor/protocol";
import type { Server, Socket } from "socket.io";
import type { SessionPrincipal } from "../auth/session-service.js";

/** What the handshake proved, kept on the socket for its whole life. */
export interface SocketData {
  principal: SessionPrincipal;
  authMethod: "cookie" | "bearer";
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no events between server processes (yet): an empty map
export type ParlorIo = Server<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- as above
export type ParlorSocket = Socket<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;

/** Rooms every socket joins, so a revocation or a user's update reaches all of theirs. */
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
export const userRoom = (userId: string) => `user:${userId}`;

declare module "fastify" {
  interface FastifyInstance {
    /** The socket.io server, for embedders that emit to rooms and for tests. */
    realtime: ParlorIo;
  }
}
