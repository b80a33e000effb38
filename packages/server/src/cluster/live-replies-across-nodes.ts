import type { MessageStep } from "@parlor/protocol";
import type { FastifyBaseLogger } from "fastify";
import { z } from "zod";
import type { ChatRuntime, LiveReplySnapshot } from "../chat/chat-runtime.js";
import { idSchema } from "../http/input-schemas.js";
import type { ParlorIo } from "../realtime/socket-types.js";
import { NODE_REQUEST_TIMEOUT_MS } from "./socket-adapter.js";

/** The event one node sends the others (through the adapter) to ask what they stream in a thread. */
export const LIVE_REPLIES_EVENT = "parlor:live-replies";

/** What another node answers: unknown until checked, like anything from the network. */
// A node's steps are passed on as it sent them: the nodes of one app trust each other (Redis).
const answerSchema = z.array(
  z
    .object({
      id: idSchema,
      content: z.string(),
      createdAt: z.string(),
      steps: z.array(z.custom<MessageStep>((value) => typeof value === "object" && value !== null)),
    })
    .strict(),
);

/**
 * `thread:resume` on one node of a reply streaming on another: the node that resumes asks
 * every other node (socket.io's `serverSideEmit` with answers, over Redis) for the live text
 * of the replies it runs in the thread. The database has the text too, but only as of its
 * last write (every 250 ms); the live text is what the streaming node has sent so far.
 * Nodes that do not answer within the adapter's timeout (1 s), or all of them while Redis
 * is away, are left out: the resume then
 * shows the stored text, and the deltas that follow still arrive through the user's room.
 */
export function liveRepliesOnOtherNodes(io: ParlorIo, log: FastifyBaseLogger, isConnected: () => boolean): (threadId: string) => Promise<LiveReplySnapshot[]> {
  return function liveRepliesOnOtherNodes(threadId) {
    // Redis away: nobody would hear the question, and ioredis would hold it until it is back.
    if (!isConnected()) return Promise.resolve([]);
    return new Promise((resolve) => {
      // The adapter answers within its own timeout; this bounds a question stuck in ioredis's
      // queue by a connection lost just now.
      const giveUp = setTimeout(() => resolve([]), NODE_REQUEST_TIMEOUT_MS + 500);
      io.serverSideEmit(LIVE_REPLIES_EVENT, threadId, (error: Error | null, answers: unknown[]) => {
        clearTimeout(giveUp);
        if (error) log.warn({ err: error }, "not every node answered for a resumed thread; using the stored text for the others");
        const replies: LiveReplySnapshot[] = [];
        for (const answer of answers ?? []) {
          const parsed = answerSchema.safeParse(answer);
          if (parsed.success) replies.push(...parsed.data);
        }
        resolve(replies);
      });
    });
  };
}

/** Answers the other nodes' questions about the replies this node streams. */
export function answerLiveReplyQuestions(io: ParlorIo, runtime: ChatRuntime): void {
  io.on(LIVE_REPLIES_EVENT, (threadId, answer) => {
    // The asking node checked the user owns the thread; an id that is not one gets nothing.
    answer(typeof threadId === "string" ? runtime.liveReplies(threadId) : []);
  });
}
