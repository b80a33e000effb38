import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { describe, expect, it } from "vitest";
import { freePort, redisIsAvailable, redisTestUrl, registerCleanup, sleep } from "@parlor/test-support";
import { liveRepliesOnOtherNodes } from "../src/cluster/live-replies-across-nodes.js";
import { redisSocketAdapter } from "../src/cluster/socket-adapter.js";
import type { ParlorIo } from "../src/realtime/socket-types.js";

const redisUp = await redisIsAvailable();

/**
 * socket.io's Redis adapter neither awaits nor catches its publishes and its PUBSUB NUMSUB:
 * once ioredis gives up on a command queued while Redis is away, that is an unhandled
 * rejection, which ends a Node process. Parlor's view of the command connection
 * (cluster/socket-adapter.ts) turns those into lost events. Vitest fails a run on any
 * unhandled rejection, so this test fails without it.
 */
describe.skipIf(!redisUp)("the Redis adapter while Redis is away", () => {
  it("loses events and answers a question to the other nodes with nobody, without an unhandled rejection", async () => {
    const deadPort = await freePort();
    // Gives up on a queued command after one reconnection attempt, instead of twenty.
    const commands = new Redis(`redis://127.0.0.1:${deadPort}`, { retryStrategy: () => 20, maxRetriesPerRequest: 1 });
    commands.on("error", () => undefined);
    // The subscriber is up: the adapter subscribes when it is created.
    const events = new Redis(redisTestUrl);
    events.on("error", () => undefined);
    registerCleanup(() => {
      commands.disconnect();
      events.disconnect();
    });
    const links = { modules: { Redis, createAdapter }, commands, adapterEvents: events, revocationEvents: events, close: async () => undefined };
    const io: ParlorIo = new Server({ adapter: redisSocketAdapter(links, `parlor-test:${deadPort}:`) });
    // No HTTP server to close (io.close() expects one); the Redis clients are closed above.

    io.to("user:someone").emit("thread:idle", { threadId: "t1" });
    io.in("session:some-session").disconnectSockets(true);
    const log = { warn: () => undefined } as unknown as Parameters<typeof liveRepliesOnOtherNodes>[1];
    // Asked as if connected: the NUMSUB fails, and the answer is "no other node".
    await expect(liveRepliesOnOtherNodes(io, log, () => true)("t1")).resolves.toEqual([]);
    // Long enough for ioredis to reject what it queued.
    await sleep(300);
  });
});
