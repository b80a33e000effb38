/**
 * The servers Parlor's numbers are divided by, each in its own process like the server under
 * test (started by `server-control.ts` with `fork`), talking the same IPC protocol (`ready`,
 * `stats`, `stop`; no SQL, so `dbStatements` stays 0):
 *
 * - `fastify` (auth benchmark): a bare Fastify 5 server, default options, no logger, no hooks,
 *   one route (`BARE_FASTIFY_ROUTE`) answering the object it was given (the body of Parlor's
 *   `GET /auth/me`), serialized by Fastify on every request as Parlor's route does: the same
 *   JSON, the same size.
 * - `socketio` (chat benchmark): a bare socket.io 4 server, default options, no
 *   authentication, that answers each `message:send` with the events Parlor sends the client
 *   for a message of the echo app, in the same order: `message:new` (the user's), the
 *   acknowledgement, `message:new` (the reply's), one `message:delta` per word,
 *   `message:end`, `thread:idle` (and `thread:created` first in a new thread). No storage, no
 *   app callback: what is left is socket.io's own cost per message.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import Fastify from "fastify";
import { Server } from "socket.io";
import { BARE_FASTIFY_ROUTE, CHILD_ENV, type ChildMessage, type ParentMessage, type ServerStats } from "./protocol.js";

function stats(): ServerStats {
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  return {
    dbStatements: 0,
    cpuUser: cpu.user,
    cpuSystem: cpu.system,
    wallNs: Number(process.hrtime.bigint()),
    eluActiveMs: elu.active,
    eluIdleMs: elu.idle,
  };
}

async function bareFastify(body: unknown): Promise<{ port: number; close: () => Promise<void> }> {
  const fastify = Fastify();
  fastify.get(BARE_FASTIFY_ROUTE, () => body);
  await fastify.listen({ port: 0, host: "127.0.0.1" });
  return { port: (fastify.server.address() as AddressInfo).port, close: () => fastify.close() };
}

async function bareSocketIo(): Promise<{ port: number; close: () => Promise<void> }> {
  const http = createServer();
  const io = new Server(http);
  io.on("connection", (socket) => {
    socket.on("message:send", (payload: { threadId?: string; content: string }, ack?: (result: unknown) => void) => {
      const isNew = payload.threadId === undefined;
      const threadId = payload.threadId ?? randomUUID();
      const messageId = randomUUID();
      if (isNew) socket.emit("thread:created", { threadId, name: payload.content.slice(0, 40) });
      socket.emit("message:new", { threadId, messageId, role: "user", content: payload.content, status: "complete", files: [] });
      ack?.({ ok: true, threadId, messageId });
      // Parlor runs the app after the acknowledgement, in the next turn.
      setImmediate(() => {
        const replyId = randomUUID();
        socket.emit("message:new", { threadId, messageId: replyId, role: "assistant", content: "", status: "streaming", files: [] });
        let offset = 0;
        for (const word of payload.content.split(" ")) {
          const delta = `${word} `;
          socket.emit("message:delta", { threadId, messageId: replyId, delta, offset });
          offset += delta.length;
        }
        socket.emit("message:end", { threadId, messageId: replyId, status: "complete" });
        socket.emit("thread:idle", { threadId });
      });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { port: (http.address() as AddressInfo).port, close: () => io.close() };
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  if (!process.send) throw new Error("baseline-process must be started with an IPC channel (fork)");
  const kind = process.env[CHILD_ENV.baseline];
  const server =
    kind === "fastify" ? await bareFastify(JSON.parse(process.env[CHILD_ENV.baselineBody] ?? "null")) : kind === "socketio" ? await bareSocketIo() : null;
  if (server === null) throw new Error(`baseline-process: ${CHILD_ENV.baseline} must be fastify or socketio, got ${kind}`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    process.exit(0);
  };
  process.on("message", (message: ParentMessage) => {
    if (message.type === "stats") send({ type: "stats", stats: stats() });
    else if (message.type === "stop") void stop();
    else send({ type: "error", message: `baseline-process: ${message.type} is not supported` });
  });
  process.on("disconnect", () => void stop());
  send({ type: "ready", port: server.port, cookieName: "" });
}

main().catch((error: unknown) => {
  send({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
