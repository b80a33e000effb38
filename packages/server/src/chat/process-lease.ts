import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { FastifyBaseLogger } from "fastify";
import type { AbandonedReply, ProcessIdentity, ProcessStore } from "../data/process-store.js";

/** A process is taken for gone after this many missed heartbeats. */
export const STALE_AFTER_HEARTBEATS = 3;

export interface ProcessLeaseDeps {
  processes: ProcessStore;
  /** Seconds between heartbeats. */
  interval: number;
  clock: () => number;
  log: FastifyBaseLogger;
  /** Told of the replies this process marked `interrupted` (announce-interrupted.ts). */
  onInterrupted?: (replies: AbandonedReply[]) => void;
}

/**
 * This process's identity in the database, kept alive by a heartbeat. Streaming replies are
 * stored with this id as their owner; every heartbeat also recovers replies whose owner is gone
 * (a crash, `kill -9`, a lost machine), so a surviving process cleans up after a dead sibling
 * and a restarted one after its predecessor.
 *
 * A process on another host is gone when it stops beating (3 intervals). One on this host is
 * known gone at once when its pid no longer runs, or is this process's own pid (a restarted
 * container is pid 1 again): a restart recovers its predecessor's replies before taking messages.
 */
export class ProcessLease {
  readonly identity: ProcessIdentity = {
    // New at every start: a restarted process never passes for its predecessor.
    id: randomBytes(16).toString("hex"),
    host: hostname().slice(0, 255),
    pid: process.pid,
  };
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ProcessLeaseDeps) {}

  get id(): string {
    return this.identity.id;
  }

  /** Registers this process and recovers what dead ones left, before the server takes messages. */
  async start(): Promise<void> {
    await this.deps.processes.register(this.identity, this.deps.clock());
    await this.recover();
    this.timer = setInterval(() => {
      this.beating = this.beat();
    }, this.deps.interval * 1000).unref();
  }

  /** Stops beating and removes this process: its replies have been ended by then. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    await this.deps.processes.unregister(this.identity.id);
  }

  private async beat(): Promise<void> {
    try {
      await this.deps.processes.heartbeat(this.identity, this.deps.clock());
      await this.recover();
    } catch (error) {
      // The database may be briefly unreachable; the next beat tries again.
      this.deps.log.error({ err: error }, "process heartbeat failed");
    }
  }

  private async recover(): Promise<void> {
    const neighbours = await this.deps.processes.othersOnHost(this.identity);
    const dead = neighbours.filter((other) => other.pid === this.identity.pid || !isRunning(other.pid));
    await this.deps.processes.unregister(...dead.map((other) => other.id));
    const aliveSince = this.deps.clock() - STALE_AFTER_HEARTBEATS * this.deps.interval * 1000;
    const interrupted = await this.deps.processes.interruptAbandonedReplies(aliveSince);
    if (interrupted.length === 0) return;
    this.deps.log.warn(`${interrupted.length} reply(ies) left streaming by a stopped process marked interrupted`);
    this.deps.onInterrupted?.(interrupted);
  }
}

/** Signal 0 checks that a process exists without touching it; EPERM means it exists as another user. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
