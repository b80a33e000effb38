import type { FastifyBaseLogger } from "fastify";
import { z } from "zod";
import type { ChatRuntime } from "../chat/chat-runtime.js";
import { idSchema } from "../http/input-schemas.js";
import type { ParlorIo } from "../realtime/socket-types.js";

/** The event one node sends the others (through the adapter) to stop a user's replies. */
export const STOP_EVENT = "parlor:stop";

/** What another node sends: unknown until checked, like anything from the network. */
const stopSchema = z.object({ userId: idSchema, threadId: idSchema.optional() }).strict();

/**
 * `message:stop` from a tab on one node for a reply another node runs (the tabs of one user
 * land on different nodes behind a load balancer): the node that got the stop asks every
 * other node, with socket.io's `serverSideEmit` over Redis, to stop that user's runs in the
 * thread (or all of them). Fire and forget: the node running the reply ends it `stopped`,
 * and its `message:end` and `thread:idle` reach the user's tabs on every node, as for a
 * stop on that node. Returns false, sending nothing, while Redis is away: nobody would hear
 * it, and ioredis would hold it until Redis is back, stopping a reply long after the click.
 */
export function stopOnOtherNodes(io: ParlorIo, isConnected: () => boolean): (userId: string, threadId: string | undefined) => boolean {
  return function stopOnOtherNodes(userId, threadId) {
    if (!isConnected()) return false;
    io.serverSideEmit(STOP_EVENT, { userId, ...(threadId === undefined ? {} : { threadId }) });
    return true;
  };
}

/**
 * Stops the runs the other nodes ask for. Only the named user's runs: a run belongs to the
 * thread's user, so the asking node's authenticated user must own the thread, and a stop
 * naming someone else's thread finds nothing.
 */
export function answerStopsFromOtherNodes(io: ParlorIo, runtime: ChatRuntime, log: FastifyBaseLogger): void {
  io.on(STOP_EVENT, (request) => {
    const parsed = stopSchema.safeParse(request);
    if (!parsed.success) return log.warn("ignored a malformed stop request from another node");
    runtime.stopRuns(parsed.data.userId, parsed.data.threadId);
  });
}
