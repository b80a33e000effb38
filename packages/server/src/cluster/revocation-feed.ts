import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyBaseLogger } from "fastify";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { SessionService } from "../auth/session-service.js";

export interface RevocationFeedOptions {
  /** Publishes this node's revocations. */
  publisher: Redis;
  /** Hears the other nodes' (a connection of its own: a subscribed one can do nothing else). */
  subscriber: Redis;
  /** `<prefix>revocations`. */
  channel: string;
  sessions: SessionService;
  log: FastifyBaseLogger;
}

/** What a node publishes: the ids it revoked. Anything else on the channel is ignored. */
const messageSchema = z.object({ sessionIds: z.array(z.string().min(1).max(128)).min(1).max(100_000) });

/** Between two attempts to resubscribe and reload when the database failed meanwhile. */
const RETRY_MS = 1000;

/**
 * Revocations across nodes, keeping the fast path: each node keeps its in-memory revocation
 * set (auth/revocation-set.ts) and this feed adds the other nodes' revocations to it as they
 * are published on one Redis channel, within a millisecond or two on a LAN.
 *
 * Pub/sub delivers only to who is listening at that moment, so whenever this node is not
 * (start-up, or its link to Redis is down) it may miss some. Until it listens again, the
 * session service checks the session row on every request and socket event (correct, one
 * query slower; logged, and `/readyz` says so); once it listens again it reloads the recent
 * revocations from the database, then trusts the set alone again. A revocation this node
 * could not publish is published again when its link comes back.
 */
export class RevocationFeed {
  private listening = false;
  private resuming = false;
  private stopped = false;
  /** Bumped on every loss: a reload that started before one does not count. */
  private losses = 0;
  private unpublished: string[] = [];
  private readonly unsubscribe: () => void;

  constructor(private readonly options: RevocationFeedOptions) {
    const { sessions, subscriber, publisher } = options;
    // Not listening yet: correct before fast.
    sessions.checkRowsOnEveryRequest(true);
    this.unsubscribe = sessions.onRevoke((ids, origin) => {
      if (origin === "here") this.publish(ids);
    });
    subscriber.on("message", this.heard);
    subscriber.on("close", this.lost);
    subscriber.on("ready", this.back);
    publisher.on("ready", this.publishUnpublished);
  }

  /** Starts listening (and reloads from the database); resolves once revocations are live. */
  async start(): Promise<void> {
    await this.resume();
  }

  /** Whether this node hears every revocation as it is made (else it is checking rows). */
  get isLive(): boolean {
    return this.listening;
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    const { subscriber, publisher } = this.options;
    subscriber.off("message", this.heard);
    subscriber.off("close", this.lost);
    subscriber.off("ready", this.back);
    publisher.off("ready", this.publishUnpublished);
  }

  private readonly heard = (channel: string, text: string) => {
    if (channel !== this.options.channel) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    const message = messageSchema.safeParse(parsed);
    if (message.success) this.options.sessions.revokedElsewhere(message.data.sessionIds);
  };

  private readonly lost = () => {
    this.losses++;
    if (!this.listening || this.stopped) return;
    this.listening = false;
    this.options.sessions.checkRowsOnEveryRequest(true);
    this.options.log.warn(
      "lost the connection to Redis: revocations made on other nodes may be missed, so every request checks its session row until it is back",
    );
  };

  private readonly back = () => void this.resume();

  /**
   * Subscribes, then reloads recent revocations from the database, then trusts the set alone:
   * in that order, a revocation published during the reload is heard, and one made during
   * the outage is read. Retries while the database fails, as long as Redis stays connected.
   */
  private async resume(): Promise<void> {
    if (this.resuming) return;
    this.resuming = true;
    const { subscriber, sessions, log, channel } = this.options;
    try {
      while (!this.stopped && !this.listening && subscriber.status === "ready") {
        const losses = this.losses;
        try {
          await subscriber.subscribe(channel);
          await sessions.loadRevocations();
        } catch (error) {
          log.warn({ err: error }, "could not resume the revocation feed; retrying");
          await sleep(RETRY_MS);
          continue;
        }
        if (losses !== this.losses || subscriber.status !== "ready") continue;
        this.listening = true;
        sessions.checkRowsOnEveryRequest(false);
        log.info("listening to revocations from other nodes on Redis");
      }
    } finally {
      this.resuming = false;
    }
  }

  private publish(sessionIds: string[]): void {
    this.options.publisher.publish(this.options.channel, JSON.stringify({ sessionIds })).catch((error: unknown) => {
      // Retried when the publisher is `ready` again; meanwhile the others are either cut off
      // too (and checking rows) or will only hear it late.
      this.unpublished.push(...sessionIds);
      this.options.log.warn({ err: error }, "could not publish a revocation to the other nodes; will retry when Redis is back");
    });
  }

  private readonly publishUnpublished = () => {
    if (this.unpublished.length === 0 || this.stopped) return;
    this.publish(this.unpublished.splice(0));
  };
}
