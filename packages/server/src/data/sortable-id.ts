import { randomBytes } from "node:crypto";

let lastMs = 0;
let counter = 0;

/**
 * Random bytes are drawn 4 KiB at a time and handed out 10 by 10: one `randomBytes(10)` per
 * id (an OpenSSL call and a Buffer each) was ~3 % of the server's CPU on the chat path, where
 * every message makes two ids.
 */
const RANDOM_BYTES = 10;
const POOL_BYTES = 4096;
let pool = randomBytes(POOL_BYTES);
let poolOffset = 0;

function randomPart(): string {
  if (poolOffset + RANDOM_BYTES > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const part = pool.toString("base64url", poolOffset, poolOffset + RANDOM_BYTES);
  poolOffset += RANDOM_BYTES;
  return part;
}

/**
 * An id that sorts by creation time within this process (time prefix, then a counter),
 * with 80 random bits after it so ids from several processes do not collide. Used for
 * threads and messages, whose order matters; never for secrets like session ids.
 */
export function sortableId(): string {
  const now = Math.max(Date.now(), lastMs);
  counter = now === lastMs ? counter + 1 : 0;
  lastMs = now;
  return now.toString(36).padStart(9, "0") + counter.toString(36).padStart(4, "0") + randomPart();
}
