import type { ClientToServerEvents, ServerToClientEvents } from "@parlor/protocol";
import type { Server, Socket } from "socket.io";
import type { SessionPrincipal } from "../auth/session-service.js";
import type { LiveReplySnapshot } from "../chat/chat-runtime.js";

/** What the handshake proved, kept on the socket for its whole life. */
export interface SocketData {
  principal: SessionPrincipal;
  authMethod: "cookie" | "bearer";
}

/** Events between the nodes of one app (through socket.io's Redis adapter), see cluster/. */
export interface NodeToNodeEvents {
  /** Which replies do you stream in this thread, and their text so far? */
  "parlor:live-replies": (threadId: string, answer: (replies: LiveReplySnapshot[]) => void) => void;
  /** Stop this user's runs, in this thread only when one is named. */
  "parlor:stop": (request: { userId: string; threadId?: string }) => void;
}

export type ParlorIo = Server<ClientToServerEvents, ServerToClientEvents, NodeToNodeEvents, SocketData>;
export type ParlorSocket = Socket<ClientToServerEvents, ServerToClientEvents, NodeToNodeEvents, SocketData>;

/** Rooms every socket joins, so a revocation or a user's update reaches all of theirs. */
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
export const userRoom = (userId: string) => `user:${userId}`;

declare module "fastify" {
  interface FastifyInstance {
    /** The socket.io server, for embedders that emit to rooms and for tests. */
    realtime: ParlorIo;
  }
}
