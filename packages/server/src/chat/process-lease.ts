import { randomBytes } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import type { ProcessStore } from "../data/process-store.js";

/** A process is taken for gone after this many missed heartbeats. */
export const STALE_AFTER_HEARTBEATS = 3;

export interface ProcessLeaseDeps {
  processes: ProcessStore;
  /** Seconds between heartbeats. */
  interval: number;
  clock: () => number;
  log: FastifyBaseLogger;
}

/**
 * This process's identity in the database, kept alive by a heartbeat. Streaming replies are
 * stored with this id as their owner; every heartbeat also recovers replies whose owner has
 * stopped beating (a crash, `kill -9`, a lost machine), so a surviving process cleans up after
 * a dead sibling and a restarted one after its predecessor.
 */
export class ProcessLease {
  /** New at every start: a restarted process never passes for its predecessor. */
  readonly id = randomBytes(16).toString("hex");
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ProcessLeaseDeps) {}

  /** Registers this process and recovers what dead ones left, before the server takes messages. */
  async start(): Promise<void> {
    await this.deps.processes.register(this.id, this.deps.clock());
    await this.recover();
    this.timer = setInterval(() => {
      this.beating = this.beat();
    }, this.deps.interval * 1000).unref();
  }

  /** Stops beating and removes this process: its replies have been ended by then. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    await this.deps.processes.unregister(this.id);
  }

  private async beat(): Promise<void> {
    try {
      await this.deps.processes.heartbeat(this.id, this.deps.clock());
      await this.recover();
    } catch (error) {
      // The database may be briefly unreachable; the next beat tries again.
      this.deps.log.error({ err: error }, "process heartbeat failed");
    }
  }

  private async recover(): Promise<void> {
    const aliveSince = this.deps.clock() - STALE_AFTER_HEARTBEATS * this.deps.interval * 1000;
    const interrupted = await this.deps.processes.interruptAbandonedReplies(aliveSince);
    if (interrupted > 0) this.deps.log.warn(`${interrupted} reply(ies) left streaming by a stopped process marked interrupted`);
  }
}
