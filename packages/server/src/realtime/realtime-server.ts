import type { FastifyInstance } from "fastify";
import { Server, type ServerOptions as SocketIoOptions } from "socket.io";
import type { ChatConnection, ChatRuntime } from "../chat/chat-runtime.js";
import type { SharedLimits } from "../limits/shared-limits.js";
import type { EmitToUser } from "../chat/live-reply.js";
import type { SessionService } from "../auth/session-service.js";
import type { ParlorConfig } from "../config/resolve-config.js";
import type { OriginPolicy } from "../csrf/request-origin.js";
import type { IsAllowedHost } from "../http/allowed-hosts.js";
import { allowHandshake } from "./allow-handshake.js";
import { authenticateSocket } from "./authenticate-socket.js";
import { clientCaller } from "./client-caller.js";
import { limitConnections } from "./connection-limits.js";
import { handshakeRateLimit } from "./handshake-rate-limit.js";
import { closeConnectionsThatNeverJoin } from "./join-deadline.js";
import { UserEventLimits } from "./user-event-limits.js";
import { userEventsAcrossNodes } from "./user-events-across-nodes.js";
import { sessionRoom, userRoom, type ParlorIo } from "./socket-types.js";

export interface RealtimeOptions {
  config: ParlorConfig;
  sessions: SessionService;
  originPolicy: OriginPolicy;
  /** The HTTP Host check; engine.io's requests never pass Fastify's hooks. */
  isAllowedHost: IsAllowedHost;
  clock: () => number;
  /** Where the handshake, socket and event limits count (limits/shared-limits.ts). */
  limits: SharedLimits;
  /** Built with the emitter this function returns, so created after it. */
  runtime: (emitToUser: (userId: string) => EmitToUser, io: ParlorIo) => ChatRuntime;
  /** With several nodes, socket.io's Redis adapter (cluster/socket-adapter.ts); default: this process only. */
  adapter?: SocketIoOptions["adapter"] | undefined;
  /** Shutdown has started: new handshakes are refused with 503 `unavailable` (the client tries again, elsewhere). */
  isDraining: () => boolean;
}

/** Room for JSON escaping and the packet envelope around the largest allowed message. */
const PACKET_OVERHEAD = 16 * 1024;
/** On shutdown, how long sockets may take to flush their last events before they are dropped. */
const TRANSPORT_CLOSE_WAIT_MS = 1000;

/**
 * socket.io on the server's port at `<basePath>/socket.io`: authenticated handshakes, a room per
 * session and per user, revocation that disconnects within the same tick, and a
 * revocation and rate check (per user) before every inbound event. Handshakes are screened
 * before engine.io keeps anything for them (`allowHandshake`), and sockets are capped per
 * session and per user.
 */
export function attachRealtime(fastify: FastifyInstance, options: RealtimeOptions): ParlorIo {
  const { config, sessions, clock, limits } = options;
  const io: ParlorIo = new Server(fastify.server, {
    // Under the prefix like every route: `<basePath>/socket.io`.
    path: `${config.basePath}/socket.io`,
    serveClient: false,
    // Escaped JSON can take up to 6 bytes per character of content.
    maxHttpBufferSize: config.chat.maxMessageBytes * 6 + PACKET_OVERHEAD,
    cors: config.allowedOrigins.length > 0 ? { origin: [...config.allowedOrigins], credentials: true } : undefined,
    allowRequest: allowHandshake({
      config,
      originPolicy: options.originPolicy,
      checkRate: handshakeRateLimit(limits, config.realtime.handshakesPerMinute, config.isTrustedPeer),
      isAllowedHost: options.isAllowedHost,
      isDraining: options.isDraining,
      clock,
    }),
    connectTimeout: config.realtime.connectTimeout * 1000,
    ...(options.adapter === undefined ? {} : { adapter: options.adapter }),
  });
  // One broadcast operator per call (a run's, a reply's), not one per event: a reply emits a
  // delta per chunk, and the operator is immutable, so it can be kept. socket.io types a
  // broadcast's ack differently (answers from many sockets); EmitToUser leaves out the one
  // event with an ack (`client:call`), so the arguments are the same.
  const emitToUser = (userId: string): EmitToUser => {
    const room = io.to(userRoom(userId)) as unknown as { emit: EmitToUser };
    return (event, ...args) => room.emit(event, ...args);
  };
  const runtime = options.runtime(emitToUser, io);
  fastify.decorate("realtime", io);

  io.use(authenticateSocket(sessions, config.cookie.name, options.originPolicy));
  closeConnectionsThatNeverJoin(io, config.realtime.connectTimeout * 1000);
  io.use(
    limitConnections({
      perSession: config.chat.maxSocketsPerSession,
      perUser: config.chat.maxSocketsPerUser,
      userSocketsAcrossNodes: limits.counts("sockets-user"),
    }),
  );
  const eventLimits = new UserEventLimits(config.chat.eventsPerSecond, config.chat.eventBurst, clock);
  const eventsAcrossNodes = limits.acrossNodes ? userEventsAcrossNodes(limits, config.chat.eventsPerSecond, config.chat.eventBurst) : null;

  io.on("connection", (socket) => {
    const { principal } = socket.data;
    void socket.join([sessionRoom(principal.sessionId), userRoom(principal.userId)]);
    const { limit, release } = eventLimits.acquire(principal.userId);
    const connection: ChatConnection = {
      principal,
      sendError: (error) => socket.emit("error", error),
      threadsUsed: new Set(),
      // Only the widget runs the host page's functions; other clients have no handler.
      ...(principal.client === "widget" ? { callClient: clientCaller(socket) } : {}),
    };

    const endSession = () => {
      socket.emit("error", { code: "unauthenticated", message: "Session ended" });
      socket.disconnect(true);
    };
    const slowDown = () => connection.sendError({ code: "rate_limited", message: "Too many events; slow down" });
    const admit = (next: () => void) => {
      // Over the limit: the event is dropped with an error, the connection stays.
      if (!limit.take()) return slowDown();
      if (eventsAcrossNodes === null) return next();
      // An unexpected failure lets the event through: this node's bucket already did.
      eventsAcrossNodes(principal.userId).then((allowed) => (allowed ? next() : slowDown()), next);
    };
    socket.use((_packet, next) => {
      if (principal.expiresAt <= clock()) return endSession();
      const revoked = sessions.isRevoked(principal.sessionId);
      if (revoked === false) return admit(next);
      if (revoked === true) return endSession();
      // Only while revocations from other nodes may be missed (Redis away): the row decides.
      revoked.then(
        (isRevoked) => (isRevoked ? endSession() : admit(next)),
        () => connection.sendError({ code: "unavailable", message: "Temporarily unavailable. Try again shortly." }),
      );
    });

    socket.on("message:send", (payload, ack) => void runtime.send(connection, payload, ack));
    socket.on("thread:resume", (payload, ack) => void runtime.resume(connection, payload, ack));
    socket.on("message:stop", (payload) => runtime.stop(connection, payload));
    socket.on("action:run", (payload, ack) => void runtime.runAction(connection, payload, ack));
    socket.on("message:edit", (payload, ack) => void runtime.edit(connection, payload, ack));
    socket.on("message:regenerate", (payload, ack) => void runtime.regenerate(connection, payload, ack));
    socket.on("thread:settings", (payload, ack) => void runtime.updateSettings(connection, payload, ack));
    socket.on("disconnect", () => {
      release();
      void runtime.disconnected(connection);
    });
  });

  // A revocation made here drops the session's sockets on every node (through the adapter
  // when there are several); one heard of from another node, or reloaded after an outage,
  // drops this node's own (again, harmlessly, if the adapter already did).
  const unsubscribe = sessions.onRevoke((sessionIds, origin) => {
    const scope = origin === "here" ? io : io.local;
    for (const id of sessionIds) scope.in(sessionRoom(id)).disconnectSockets(true);
  });
  // Runs after the replies were drained (see server/graceful-shutdown.ts).
  fastify.addHook("preClose", async () => {
    unsubscribe();
    // Closes each client's transport once its last events (the replies' message:end) are
    // written, so stock socket.io clients see "transport close" and reconnect by themselves (to
    // this server restarted, or to a sibling). Not disconnectSockets(true): its "io server
    // disconnect" tells clients not to reconnect. Not io.close(): it closes the HTTP server
    // itself, which Fastify does. io.engine.close() then drops whatever is left (it discards
    // unsent packets, hence not first); a client that does not read is cut by the force close.
    for (const socket of io.of("/").sockets.values()) socket.conn.close();
    for (let waited = 0; io.engine.clientsCount > 0 && waited < TRANSPORT_CLOSE_WAIT_MS; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    io.engine.close();
  });
  return io;
}
