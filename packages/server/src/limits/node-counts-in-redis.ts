import type { Redis } from "ioredis";
import type { NodeCounts } from "./shared-limits.js";

/** How often a node says it is alive. */
const HEARTBEAT_MS = 5000;
/** A node silent for this long is dead: its counts no longer count. */
const STALE_MS = 15_000;
/** A count hash no node has touched for this long is dropped (a key whose nodes all died). */
const IDLE_KEY_MS = 24 * 3600 * 1000;

/** Redis's clock in ms, so that the nodes' clocks need not agree. */
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS: the key's count hash, the nodes hash. ARGV: node id, limit, stale ms, idle ms.
 * Sums the live nodes' counts (dropping dead nodes' fields on the way) and adds one for this
 * node if the total stays within the limit: check and add in one step, so nodes that race
 * cannot both pass.
 */
const ADD = `${NOW}
local fields = redis.call('HGETALL', KEYS[1])
local total = 0
for i = 1, #fields, 2 do
  local beat = tonumber(redis.call('HGET', KEYS[2], fields[i]) or '0')
  if fields[i] == ARGV[1] or now - beat < tonumber(ARGV[3]) then
    total = total + tonumber(fields[i + 1])
  else
    redis.call('HDEL', KEYS[1], fields[i])
  end
end
if total >= tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;

/** KEYS: the key's count hash. ARGV: node id. One less for this node. */
const REMOVE = `
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1`;

/** KEYS: the key's count hash. ARGV: node id, the node's count, idle ms. Sets (or drops) the node's field. */
const SET = `
if tonumber(ARGV[2]) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/**
 * KEYS: the nodes hash. ARGV: node id, forget ms. Stamps this node and forgets long-dead ones;
 * the hash itself goes once no node has stamped it for that long.
 */
const HEARTBEAT = `${NOW}
redis.call('HSET', KEYS[1], ARGV[1], now)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local beats = redis.call('HGETALL', KEYS[1])
for i = 1, #beats, 2 do
  if now - tonumber(beats[i + 1]) > tonumber(ARGV[2]) then redis.call('HDEL', KEYS[1], beats[i]) end
end
return 1`;

/**
 * Sockets and running replies per user over every node. These are not rate windows: each is
 * counted up when it opens and down when it closes, and a node that crashes never counts its
 * own down. So each node's part is a field of its own in one Redis hash per key
 * (`<prefix>limits:<name>:<key>`, field = node id), and the nodes stamp a shared
 * `<prefix>limits:nodes` hash every 5 s; a check sums only the fields of nodes stamped within
 * 15 s. A crashed node's users are thus free again 15 s later, with no clean-up job, and the
 * check stays one atomic script over two keys. (A TTL'd key per node and user would need the
 * heartbeat to refresh every user's key, or a SCAN to add them up.)
 *
 * Each node also keeps its counts in memory, so while Redis is away it still enforces the
 * limit alone (fail open to the per-node count, see shared-limits.ts), and when Redis is back
 * (or was restarted empty) it writes its current counts again. A change Redis missed while
 * connected (a failed command) is written with the next heartbeat. A live node that stalls
 * for over 15 s (a blocked event loop) is taken for dead and its fields dropped: it is then
 * counted low, never high, until it restarts or reconnects.
 */
export class NodeCountsInRedis {
  private readonly local = new Map<string, number>();
  /** Keys changed while Redis could not be told; rewritten when it is back. */
  private readonly unsent = new Set<string>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly nodesKey: string;
  private lost = false;

  constructor(
    private readonly client: Redis,
    private readonly keyPrefix: string,
    private readonly nodeId: string,
  ) {
    this.nodesKey = `${keyPrefix}nodes`;
    this.beat();
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS).unref();
    client.on("close", this.onClose);
    client.on("ready", this.onReady);
  }

  counts(name: string): NodeCounts {
    const keyOf = (key: string) => `${this.keyPrefix}${name}:${key}`;
    return {
      add: async (key, limit) => {
        const redisKey = keyOf(key);
        if (this.client.status === "ready") {
          try {
            const added = await this.client.eval(ADD, 2, redisKey, this.nodesKey, this.nodeId, limit, STALE_MS, IDLE_KEY_MS);
            if (added !== 1) return false;
            this.change(redisKey, 1, false);
            return true;
          } catch {
            // Lost on the way: counted here alone, like any change while Redis is away.
          }
        }
        this.change(redisKey, 1, true);
        return true;
      },
      remove: (key) => {
        const redisKey = keyOf(key);
        // A step, not the new total: an `add` still on its way would be overwritten by a total.
        const sendNow = this.client.status === "ready" && !this.unsent.has(redisKey);
        this.change(redisKey, -1, !sendNow);
        if (sendNow) this.client.eval(REMOVE, 1, redisKey, this.nodeId).catch(() => this.unsent.add(redisKey));
      },
    };
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    this.client.off("close", this.onClose);
    this.client.off("ready", this.onReady);
    // The other nodes stop counting this one's sockets and replies at once.
    if (this.client.status === "ready") await this.client.hdel(this.nodesKey, this.nodeId).catch(() => undefined);
  }

  private change(redisKey: string, by: number, unsent: boolean): void {
    const count = (this.local.get(redisKey) ?? 0) + by;
    if (count <= 0) this.local.delete(redisKey);
    else this.local.set(redisKey, count);
    if (unsent) this.unsent.add(redisKey);
  }

  /** Writes this node's whole count for one key, after an outage (a total: it repairs whatever was lost). */
  private send(redisKey: string): void {
    this.client.eval(SET, 1, redisKey, this.nodeId, this.local.get(redisKey) ?? 0, IDLE_KEY_MS).catch(() => this.unsent.add(redisKey));
  }

  /** Stamps this node, and writes what Redis missed: after an outage, or a command that failed while connected. */
  private beat(): void {
    this.client.eval(HEARTBEAT, 1, this.nodesKey, this.nodeId, STALE_MS * 10).catch(() => undefined);
    if (this.client.status !== "ready") return;
    const keys = [...this.unsent];
    this.unsent.clear();
    for (const key of keys) this.send(key);
  }

  private readonly onClose = () => {
    this.lost = true;
  };

  /** Back after an outage: Redis may have lost everything, so every count of this node is written again. */
  private readonly onReady = () => {
    if (!this.lost) return;
    this.lost = false;
    for (const key of this.local.keys()) this.unsent.add(key);
    this.beat();
  };
}
