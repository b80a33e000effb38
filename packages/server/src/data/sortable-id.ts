import { randomBytes } from "node:crypto";

let lastMs = 0;
let counter = 0;

/**
 * An id that sorts by creation time within this process (time prefix, then a counter),
 * with 80 random bits after it so ids from several processes do not collide. Used for
 * threads and messages, whose order matters; never for secrets like session ids.
 */
export function sortableId(): string {
  const now = Math.max(Date.now(), lastMs);
  counter = now === lastMs ? counter + 1 : 0;
  lastMs = now;
  return now.toString(36).padStart(9, "0") + counter.toString(36).padStart(4, "0") + randomBytes(10).toString("base64url");
}
