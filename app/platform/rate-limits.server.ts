import { describeRetryAfter, RateLimited } from "./refusal";
import { HOUR_MS } from "./time";

export type RateLimitRule = { limit: number; windowMs: number };
export type RateLimitHit = [key: string, rule: RateLimitRule];
type Outcome = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Fixed-window counters in the server's memory. A restart forgets the counts, which only ever lets
 * someone in, never locks them out. Kept out of SQLite: every signature would otherwise pay for two
 * extra writes, and the database must hold no addresses. Asynchronous, so that a store shared by
 * several processes can answer; call it before a transaction, never inside one.
 */
const windows = new Map<string, { windowStart: number; count: number }>();
let lastSweep = 0;

function sweep(now: number): void {
  // Drop windows older than an hour, at most once a minute, so the map stays small.
  if (now - lastSweep < 60_000) return;
  lastSweep = now;
  for (const [key, entry] of windows) if (now - entry.windowStart > HOUR_MS) windows.delete(key);
}

function hit(key: string, rule: RateLimitRule, now: number): Outcome {
  sweep(now);
  const windowStart = now - (now % rule.windowMs);
  const entry = windows.get(key);
  const count = entry && entry.windowStart === windowStart ? entry.count + 1 : 1;
  windows.set(key, { windowStart, count });
  if (count <= rule.limit) return { allowed: true };
  return { allowed: false, retryAfterMs: windowStart + rule.windowMs - now };
}

/** Counts one hit against every rule; all are counted so a blocked caller cannot dodge one by tripping another. */
function hitAll(hits: readonly RateLimitHit[], now: number): Outcome {
  let worst: Outcome = { allowed: true };
  for (const [key, rule] of hits) {
    const result = hit(key, rule, now);
    if (!result.allowed && (worst.allowed || result.retryAfterMs > worst.retryAfterMs)) worst = result;
  }
  return worst;
}

/**
 * Counts the hits and refuses with RateLimited (429, Retry-After) when any rule is over its limit:
 * `refusal` words the message for the wait, e.g. "You are signing too fast. Please wait 2 minutes."
 */
export async function enforceRateLimits(
  hits: readonly RateLimitHit[],
  refusal: (wait: string) => string,
  now = Date.now(),
): Promise<void> {
  const outcome = hitAll(hits, now);
  if (!outcome.allowed) {
    throw new RateLimited(refusal(describeRetryAfter(outcome.retryAfterMs)), outcome.retryAfterMs);
  }
}

/** Counts the hits and says whether they are within the limits, for what is skipped rather than refused. */
export async function withinRateLimits(hits: readonly RateLimitHit[], now = Date.now()): Promise<boolean> {
  return hitAll(hits, now).allowed;
}

/** Forgets every counter (tests, and the seed, which signs on behalf of many people). */
export function resetRateLimits(): void {
  windows.clear();
}
